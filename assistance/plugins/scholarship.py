"""金秋助学 as a plug-in of the funds engine: a yearly cycle over the year's approved applications.

The beneficiary is the worker (the child has no member record): one payment a year for all their
children, each child's amount fixed when the centre approved it from the level table in force.
``scholarship_amount`` is the pure rule of the level table: the row for the child's level, refused
when the row is only for single-parent families (or single-parent women workers) and the family is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from assistance.models.scholarship import LevelCondition, SchoolLevel
from core.money import format_yuan, to_yuan
from funds.engine import Param, ParamKind, PeriodSpan
from members.models import Person

KEY = "scholarship"

# The demo table, from Beijing's 金秋助学 notice.
BEIJING_LEVELS: list[dict[str, str]] = [
    {"level": SchoolLevel.COMPULSORY, "amount": "3000.00", "condition": LevelCondition.SINGLE_PARENT},
    {"level": SchoolLevel.HIGH_SCHOOL, "amount": "4000.00", "condition": LevelCondition.ALL},
    {"level": SchoolLevel.COLLEGE, "amount": "12450.00", "condition": LevelCondition.ALL},
    {"level": SchoolLevel.POSTGRADUATE, "amount": "12450.00", "condition": LevelCondition.SINGLE_PARENT_WOMAN},
]


def scholarship_amount(levels: list[dict[str, str]], level: str, *, single_parent: bool, woman: bool) -> Decimal:
    """The amount for a child at ``level``; ValidationError (in Chinese) when the table has no row for
    the level or the row is for families this one is not."""
    row = next((r for r in levels if r["level"] == level), None)
    label = SchoolLevel(level).label if level in SchoolLevel.values else level
    if row is None:
        raise ValidationError({"level": f"本年度金秋助学不资助“{label}”阶段"})
    condition = row["condition"]
    if condition == LevelCondition.SINGLE_PARENT and not single_parent:
        raise ValidationError({"level": f"“{label}”阶段仅资助单亲困难职工家庭的子女"})
    if condition == LevelCondition.SINGLE_PARENT_WOMAN and not (single_parent and woman):
        raise ValidationError({"level": f"“{label}”阶段仅资助单亲困难女职工的子女"})
    return to_yuan(row["amount"])


class Scholarship:
    key = KEY
    label = "金秋助学"
    beneficiary_type = "person"
    parameters = (
        Param(
            "levels",
            "资助标准",
            ParamKind.TABLE,
            row_label="档",
            help="每个就读阶段一行：资助金额和资助对象",
            columns=(
                Param("level", "就读阶段", ParamKind.CHOICE, choices=tuple(SchoolLevel.choices)),
                Param("amount", "资助金额（元）", ParamKind.MONEY, minimum=Decimal("0.01")),
                Param("condition", "资助对象", ParamKind.CHOICE, choices=tuple(LevelCondition.choices)),
            ),
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        rows = params.get("levels")
        if not isinstance(rows, list) or not rows:
            raise ValidationError({"levels": "请填写“资助标准”：至少一个就读阶段"})
        out, seen = [], set()
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise ValidationError({"levels": f"资助标准第 {i} 档格式错误"})
            level, condition = row.get("level"), row.get("condition") or LevelCondition.ALL
            if level not in SchoolLevel.values:
                raise ValidationError({"levels": f"资助标准第 {i} 档“就读阶段”无效：“{level}”"})
            if condition not in LevelCondition.values:
                raise ValidationError({"levels": f"资助标准第 {i} 档“资助对象”无效：“{condition}”"})
            if level in seen:
                raise ValidationError({"levels": f"资助标准第 {i} 档：“{SchoolLevel(level).label}”重复"})
            seen.add(level)
            try:
                amount = to_yuan(str(row.get("amount", "")))
            except ValidationError:
                raise ValidationError({"levels": f"资助标准第 {i} 档“资助金额”无效：“{row.get('amount')}”"}) from None
            if amount <= 0:
                raise ValidationError({"levels": f"资助标准第 {i} 档“资助金额”须大于零"})
            out.append({"level": level, "amount": str(amount), "condition": condition})
        return {"levels": out}

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Person]:
        """Workers with an approved application of the period's year."""
        from assistance.models import ScholarshipApplication

        approved = ScholarshipApplication.objects.filter(year=period.year, state="approved")
        return Person.objects.filter(pk__in=approved.values("person_id")).order_by("pk")

    def compute(self, beneficiary: Person, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        from assistance.models import ScholarshipApplication

        rows = ScholarshipApplication.objects.filter(person=beneficiary, year=period.year, state="approved").order_by(
            "number"
        )
        parts = [f"{a.child_name}（{a.get_level_display()}）{format_yuan(a.amount)} 元" for a in rows]
        amount = to_yuan(sum((a.amount for a in rows), Decimal("0.00")))
        return (
            amount,
            f"{period.year} 年金秋助学：{'；'.join(parts)}",
            {"applications": [a.number for a in rows]},
        )
