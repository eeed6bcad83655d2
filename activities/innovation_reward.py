"""The innovation reward (普惠制服务项目 创新奖励) as plug-ins of the funds engine: one cycle per
rewarded item (period key = the item's number, ``CX2026-0007``), one beneficiary — the member for a
member's item (``innovation_reward``, person), the submitting unit for a unit's item
(``innovation_reward_unit``, organisation).

The amount per grade is a dated parameter (一等/二等/三等, yuan); the amount is fixed when the item
is graded, from the version in force that day (``grade_amount``), and the cycle pays exactly it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery

from core.money import format_yuan, to_yuan
from funds.engine import Param, ParamKind, PeriodSpan
from members.models import Person
from orgs.models import Organisation

PERSON_KEY = "innovation_reward"
UNIT_KEY = "innovation_reward_unit"
FUND_CODE = "3107"
# The graded items' prizes, highest first: their parameter names are the grade values.
PRIZES = (("first", "一等奖励（元）"), ("second", "二等奖励（元）"), ("third", "三等奖励（元）"))


def grade_amount(grade: str, params: dict[str, Any]) -> Decimal:
    """The reward of a grade under validated parameters; 不予奖励 (or no grade) is 0."""
    if grade not in dict(PRIZES):
        return Decimal("0.00")
    return to_yuan(params[grade])


def validate_prizes(params: dict[str, Any]) -> dict[str, str]:
    """Each prize is money above zero, and a higher grade never pays less than a lower one."""
    values: dict[str, Decimal] = {}
    for name, label in PRIZES:
        raw = params.get(name)
        if raw in (None, ""):
            raise ValidationError({name: f"请填写“{label}”"})
        try:
            value = to_yuan(str(raw))
        except (ValidationError, TypeError):
            raise ValidationError({name: f"“{label}”应为金额，实际为“{raw}”"}) from None
        if value <= 0:
            raise ValidationError({name: f"“{label}”须大于零"})
        values[name] = value
    for (higher, higher_label), (lower, lower_label) in pairwise(PRIZES):
        if values[higher] < values[lower]:
            raise ValidationError(
                {higher: f"“{higher_label}”（{format_yuan(values[higher])} 元）不能低于“{lower_label}”"}
            )
    return {name: str(value) for name, value in values.items()}


class InnovationReward:
    """Pays the reward fixed when the item whose number is the period key was graded."""

    label = "职工创新奖励"
    parameters = tuple(
        Param(name, label, ParamKind.MONEY, minimum=Decimal("0.01"), help="该等级项目每项奖励金额")
        for name, label in PRIZES
    )

    def __init__(self, key: str, beneficiary_type: str) -> None:
        self.key = key
        self.beneficiary_type = beneficiary_type
        if beneficiary_type == "org":
            self.label = "单位创新项目资助"

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        return validate_prizes(params)

    def _items(self, period: PeriodSpan) -> QuerySet:
        from activities.innovation import InnovationItem

        return InnovationItem.objects.filter(
            number=period.key,
            state=InnovationItem.State.GRADED,
            amount__gt=0,
            person__isnull=self.beneficiary_type == "org",
        )

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Person | Organisation]:
        items = self._items(period)
        if self.beneficiary_type == "org":
            rows = Organisation.objects.filter(pk__in=items.values("union_id"))
            mine = items.filter(union=OuterRef("pk"))
        else:
            rows = Person.objects.filter(pk__in=items.values("person_id"))
            mine = items.filter(person=OuterRef("pk"))
        return rows.annotate(
            reward_amount=Subquery(mine.values("amount")[:1]),
            reward_explanation=Subquery(mine.values("amount_explanation")[:1]),
        )

    def compute(self, beneficiary: Any, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        amount = to_yuan(beneficiary.reward_amount)
        return amount, f"创新项目 {period.key}：{beneficiary.reward_explanation}", {"item": period.key}


PLUGINS = (InnovationReward(PERSON_KEY, "person"), InnovationReward(UNIT_KEY, "org"))
