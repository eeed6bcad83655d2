"""Test data for requests: people, requests at a given step, liaisons."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from appeals import services
from appeals.models import Appeal, Category, LiaisonAssignment
from members.models import Person

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=TZ)


def make_person(organisation: Any, *, user: Any = None, name: str | None = None) -> Person:
    n = next(_seq)
    return Person.objects.create(
        name=name or f"职工{n}",
        id_number=f"11011319900101{n:04d}",
        id_number_index=f"test-index-{n:06d}",
        sex=Person.Sex.FEMALE,
        birth_date=date(1990, 1, 1),
        organisation=organisation,
        user=user,
    )


def category(code: str = "wage_arrears") -> Category:
    return Category.objects.get(code=code)


def make_appeal(
    district: Any,
    *,
    org: Any = None,
    actor: Any = None,
    code: str = "wage_arrears",
    when: datetime | None = None,
    worker: Any = None,
    title: str = "工资拖欠三个月",
) -> Appeal:
    org = org or district.union_a
    return services.appeal_register(
        actor=actor or district.user("rights"),
        organisation=org,
        category=category(code),
        channel=Appeal.Channel.HOTLINE,
        title=title,
        description="单位已经拖欠工资三个月，请工会帮助协调。",
        worker=worker,
        reporter_name="" if worker else "王女士",
        at=when,
    )


def liaison(district: Any, org: Any, user_key: str = "social_a") -> LiaisonAssignment:
    return services.liaison_assign(actor=district.user("rights"), organisation=org, liaison=district.user(user_key))


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def run_to(district: Any, appeal: Appeal, state: str, *, lead: Any = None, co: tuple = ()) -> Appeal:
    """Drive a request through the loop up to ``state`` (officers of the test district)."""
    S = Appeal.State
    rights = district.user("rights")
    order = [S.REGISTERED, S.CONTACTED, S.COORDINATING, S.HANDLING, S.FED_BACK, S.CLOSED]
    target = order.index(state)
    if target >= 1:
        services.appeal_contact(actor=rights, appeal=appeal, note="已电话联系职工，了解情况")
    if target >= 2:
        services.appeal_refer(actor=rights, appeal=appeal, lead=lead or district.town_a, co_handlers=list(co))
    if target >= 3:
        appeal = fresh(appeal)
        for ref in appeal.referrals.all():
            services.referral_accept(actor=district.user("admin"), referral=ref)
    if target >= 4:
        for ref in fresh(appeal).referrals.all():
            services.referral_complete(actor=district.user("admin"), referral=ref, result="已约谈企业，补发工资")
        services.appeal_feedback(actor=rights, appeal=appeal, result="企业已补发全部工资", resolved=True)
    if target >= 5:
        services.appeal_rate(actor=rights, appeal=appeal, rating=Appeal.Rating.SATISFIED, comment="")
    return fresh(appeal)
