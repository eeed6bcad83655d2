"""大病救助 as a plug-in of the funds engine: one cycle per approved application (period key = the
application's number), one person beneficiary, the amount fixed when the centre approved it.

The formula (``relief_amount``) is a pure function over Decimals: share × (out of pocket − threshold),
never below zero, rounded to the fen, and never more than what is left of the yearly cap per person
after the relief already granted to them that year.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery

from core.money import format_yuan, to_yuan
from funds.engine import Param, ParamKind, PeriodSpan
from members.models import Person

ZERO = Decimal("0.00")
KEY = "relief"


def relief_amount(
    out_of_pocket: Decimal, *, threshold: Decimal, share: Decimal, cap: Decimal, granted_this_year: Decimal
) -> Decimal:
    """share × (out of pocket − threshold), at least 0, to the fen; at most the cap less what this
    person was already granted this year."""
    above = max(ZERO, out_of_pocket - threshold)
    room = max(ZERO, cap - granted_this_year)
    return min(to_yuan(above * share), room)


def relief_explanation(
    out_of_pocket: Decimal, *, threshold: Decimal, share: Decimal, cap: Decimal, granted_this_year: Decimal
) -> str:
    amount = relief_amount(
        out_of_pocket, threshold=threshold, share=share, cap=cap, granted_this_year=granted_this_year
    )
    above = max(ZERO, out_of_pocket - threshold)
    text = (
        f"（个人自付 {format_yuan(out_of_pocket)} 元 − 起付线 {format_yuan(threshold)} 元）× "
        f"{(share * 100).normalize():f}% = {format_yuan(to_yuan(above * share))} 元"
    )
    if amount < to_yuan(above * share):
        text += (
            f"；每人每年封顶 {format_yuan(cap)} 元，本年已获救助 {format_yuan(granted_this_year)} 元，"
            f"本次核定 {format_yuan(amount)} 元"
        )
    return text


def _money(params: dict, name: str, label: str) -> Decimal:
    raw = params.get(name)
    if raw in (None, ""):
        raise ValidationError({name: f"请填写“{label}”"})
    try:
        value = to_yuan(str(raw))
    except ValidationError:
        raise ValidationError({name: f"“{label}”应为金额，实际为“{raw}”"}) from None
    if value < 0:
        raise ValidationError({name: f"“{label}”不能为负数"})
    return value


class Relief:
    key = KEY
    label = "职工大病救助"
    beneficiary_type = "person"
    parameters = (
        Param(
            "threshold", "起付线（元）", ParamKind.MONEY, minimum=Decimal("0"), help="个人自付超过此数的部分才予救助"
        ),
        Param("share", "救助比例", ParamKind.RATIO, help="对超过起付线的个人自付部分按此比例救助"),
        Param(
            "cap",
            "每人每年封顶（元）",
            ParamKind.MONEY,
            minimum=Decimal("0.01"),
            help="同一职工一年内各次救助合计不超过此数",
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        threshold = _money(params, "threshold", "起付线（元）")
        cap = _money(params, "cap", "每人每年封顶（元）")
        if cap <= 0:
            raise ValidationError({"cap": "“每人每年封顶（元）”须大于零"})
        raw = params.get("share")
        try:
            share = Decimal(str(raw))
        except ArithmeticError:
            share = Decimal("NaN")
        if raw in (None, "") or not share.is_finite() or not Decimal(0) < share <= Decimal(1):
            raise ValidationError({"share": f"“救助比例”应大于 0% 且不超过 100%，实际为“{raw}”"})
        return {"threshold": str(threshold), "share": str(share), "cap": str(cap)}

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Person]:
        """The one person of the approved application whose number is the period key."""
        from assistance.models import ReliefApplication

        application = ReliefApplication.objects.filter(
            number=period.key, state=ReliefApplication.State.APPROVED, amount__gt=0
        )
        return Person.objects.filter(pk__in=application.values("person_id")).annotate(
            relief_amount=Subquery(application.filter(person=OuterRef("pk")).values("amount")[:1]),
            relief_explanation=Subquery(application.filter(person=OuterRef("pk")).values("amount_explanation")[:1]),
        )

    def compute(self, beneficiary: Person, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        amount = to_yuan(beneficiary.relief_amount)
        explanation = f"大病救助 {period.key}：{beneficiary.relief_explanation}"
        return amount, explanation, {"application": period.key, "amount": str(amount)}
