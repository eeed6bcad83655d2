"""Set-up shared by the relief and scholarship tests: the two programmes, an uploaded document,
a worker with a portal login, and paying a released relief cycle as finance would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from assistance.plugins.scholarship import BEIJING_LEVELS
from funds import services as funds_services
from funds.models import Cycle, Programme
from funds.testing import books, fund_programme
from members.tests.factories import member

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
RELIEF_PARAMS = {"threshold": "10000.00", "share": "0.5", "cap": "30000.00"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def pdf(name: str = "诊断证明.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def relief_programme(district, *, funding: Decimal | None = Decimal("100000.00")) -> Programme:
    return fund_programme(
        district=district.root,
        plugin_key="relief",
        fund_code="3105",
        code="DBJZ",
        params=RELIEF_PARAMS,
        period_type=Programme.PeriodType.ON_APPLICATION,
        funding=funding,
    )


def scholarship_programme(district, *, funding: Decimal | None = Decimal("200000.00")) -> Programme:
    return fund_programme(
        district=district.root,
        plugin_key="scholarship",
        fund_code="3106",
        code="JQZX",
        params={"levels": [dict(r) for r in BEIJING_LEVELS]},
        period_type=Programme.PeriodType.YEARLY,
        funding=funding,
    )


def worker_person(district, **fields):
    """worker_a's own member record (so the portal shows them their applications)."""
    person = member(district.union_a, **fields).person
    person.user = district.user("worker_a")
    person.save(update_fields=["user"])
    return person


def pay_cycle(district, cycle: Cycle) -> Cycle:
    """Finance reviews and signs a computed cycle (the programme's one step)."""
    finance = district.user("finance")
    cycle.refresh_from_db()
    cycle = funds_services.cycle_review(actor=finance, cycle=cycle)
    return funds_services.cycle_approve(actor=finance, cycle=cycle)


def warmth_fund(district):
    return books(district.root)["3105"]


def donate(district, amount: str, on: date | None = None):
    from django.utils import timezone

    from core.system import system_actor

    return funds_services.donation_register(
        actor=system_actor(),
        donor_kind="unit",
        donor_name="北京顺鑫控股集团",
        amount=amount,
        received_on=on or timezone.localdate(),
        fund=warmth_fund(district),
    )
