"""Hardship files for tests: rows in a given state, written directly (the services' own tests drive
the lifecycle step by step; other tests only need a file that is active, lapsed or exited)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from assistance.models import HardshipFile, HouseholdMember, LocalStandard, Verification
from members.fake import id_number as fake_id_number
from members.models import Person
from members.services import id_index

_numbers = itertools.count(1)


def hardship_file(
    person: Person,
    *,
    state: str = HardshipFile.State.ACTIVE,
    category: str = HardshipFile.Category.DEEP,
    approved_on: date | None = date(2026, 1, 15),
    valid_until: date | None = None,
    exited_on: date | None = None,
    single_parent: bool = False,
    **fields,
) -> HardshipFile:
    """A file of ``person`` at their union. An active (or exited) file gets its initial verification
    span, from ``approved_on`` through ``valid_until`` (a year less a day by default)."""
    approved = state in (HardshipFile.State.ACTIVE, HardshipFile.State.EXITED)
    n = next(_numbers)
    file = HardshipFile.objects.create(
        file_no=f"T{n:07d}",
        person=person,
        organisation=person.organisation,
        state=state,
        category=category,
        main_cause=fields.pop("main_cause", "illness"),
        housing=fields.pop("housing", HardshipFile.Housing.OWNED),
        single_parent=single_parent,
        applied_on=fields.pop("applied_on", (approved_on or date(2026, 1, 1)) - timedelta(days=30)),
        approved_on=approved_on if approved else None,
        exited_on=exited_on if state == HardshipFile.State.EXITED else None,
        exit_reason=HardshipFile.ExitReason.INCOME if state == HardshipFile.State.EXITED else "",
        **fields,
    )
    if approved and approved_on:
        Verification.objects.create(
            file=file,
            kind=Verification.Kind.INITIAL,
            done_on=approved_on,
            valid_until=valid_until or approved_on.replace(year=approved_on.year + 1) - timedelta(days=1),
        )
    return file


def household_member(
    file: HardshipFile,
    *,
    relation: str = HouseholdMember.Relation.CHILD,
    n: int | None = None,
    monthly_income: Decimal = Decimal("0.00"),
    **fields,
) -> HouseholdMember:
    """A household member with a valid (fake) ID number; ``n`` picks a distinct one."""
    number = fake_id_number(n if n is not None else 500000 + next(_numbers))
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return HouseholdMember.objects.create(
        file=file,
        relation=relation,
        name=fields.pop("name", "测试子女"),
        id_number=number,
        id_number_index=id_index(number),
        birth_date=fields.pop("birth_date", birth),
        health=fields.pop("health", HardshipFile.Health.HEALTHY),
        occupation=fields.pop("occupation", HouseholdMember.Occupation.STUDENT),
        monthly_income=monthly_income,
        medical_insurance=fields.pop("medical_insurance", HouseholdMember.Insurance.RESIDENT),
        **fields,
    )


def local_standard(district) -> LocalStandard:
    """The demo's (illustrative) Beijing standard: 1,450 yuan a month from 2025-09-01, multiple 1.5."""
    from assistance.services.files import standard_save

    return standard_save(
        actor=None,
        district=district.root,
        effective_from=date(2025, 9, 1),
        dibao_monthly="1450",
        relative_multiple="1.5",
    )
