"""Holiday relief (送温暖, e.g. 2027 年春节送温暖) as a one-off plug-in of the funds engine: one
programme per campaign, person beneficiaries, amounts by the file's category (a table parameter).

Who is paid: every file in force on the campaign's stated date (``as_of``) — approved on or before
it, not exited before it — and verified on it (a ``Verification`` span covers it: a lapsed file is
not paid). A person is paid once per campaign, whichever cycle of whichever programme names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q

from assistance.models import HardshipFile, Verification
from assistance.plugins._params import date_param, money_param, refuse
from core.money import format_yuan
from funds.engine import Param, ParamKind, PeriodSpan
from funds.models import Payment

Category = HardshipFile.Category


@dataclass(slots=True)
class HolidayBeneficiary:
    """A person the campaign pays (``pk`` and a name, as the engine needs) with the file it pays."""

    pk: int
    name: str
    file_id: int
    file_no: str
    category: str

    def __str__(self) -> str:
        return self.name


def holiday_amount(category: str, amounts: dict[str, str]) -> Decimal:
    """The campaign's amount for a file category; a category the table leaves out gets nothing."""
    return Decimal(amounts.get(category, "0.00"))


class HolidayRelief:
    key = "assistance_holiday"
    label = "送温暖（节日慰问困难职工）"
    beneficiary_type = "person"
    parameters = (
        Param("campaign", "慰问活动名称", ParamKind.TEXT, help="如“2027 年春节送温暖”；同一活动每人只慰问一次"),
        Param("as_of", "在档认定日期", ParamKind.DATE, help="此日在档且认定或复核有效的困难职工档案予以慰问"),
        Param(
            "amounts",
            "各类别慰问标准",
            ParamKind.TABLE,
            mapping=True,
            row_label="类",
            help="未列出的困难类别不予慰问",
            columns=(
                Param("category", "困难类别", ParamKind.CHOICE, choices=tuple(Category.choices)),
                Param("amount", "慰问金额（元）", ParamKind.MONEY, minimum=Decimal("0.01")),
            ),
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise refuse("campaign", "参数格式错误")
        campaign = str(params.get("campaign") or "").strip()
        if not campaign:
            raise refuse("campaign", "请填写“慰问活动名称”，如“2027 年春节送温暖”")
        if len(campaign) > 60:
            raise refuse("campaign", "“慰问活动名称”不能超过 60 个字")
        as_of = date_param(params, "as_of", "在档认定日期")
        amounts = params.get("amounts")
        if not isinstance(amounts, dict) or not amounts:
            raise refuse("amounts", "请填写“各类别慰问标准”：至少一类，如 深度困难 1,000.00 元")
        labels = dict(Category.choices)
        out = {}
        for category, raw in amounts.items():
            if category not in labels:
                raise refuse("amounts", f"“各类别慰问标准”中的困难类别“{category}”无效")
            value = money_param(
                {"v": raw}, "v", f"{labels[category]}慰问金额", minimum=Decimal("0.01"), field="amounts"
            )
            out[category] = str(value)
        return {"campaign": campaign, "as_of": as_of.isoformat(), "amounts": out}

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[HolidayBeneficiary]:
        as_of = params["as_of"]
        covered = Verification.objects.filter(file=OuterRef("pk"), done_on__lte=as_of, valid_until__gte=as_of)
        already = Payment.objects.filter(
            programme__plugin_key=self.key,
            beneficiary_person=OuterRef("person_id"),
            entitlement__inputs__campaign=params["campaign"],
        )
        files = (
            HardshipFile.objects.filter(
                state__in=[HardshipFile.State.ACTIVE, HardshipFile.State.EXITED],
                approved_on__lte=as_of,
                category__in=list(params["amounts"]),
            )
            .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=as_of))
            .filter(Exists(covered))
            .exclude(Exists(already))
            .order_by("organisation__path", "file_no")
            .values_list("pk", "file_no", "person_id", "person__name", "category")
        )
        out: dict[int, HolidayBeneficiary] = {}
        for file_id, file_no, person_id, name, category in files.iterator(chunk_size=2000):
            if person_id not in out:
                out[person_id] = HolidayBeneficiary(person_id, name, file_id, file_no, category)
        return list(out.values())

    def compute(
        self, person: HolidayBeneficiary, period: PeriodSpan, params: dict[str, Any]
    ) -> tuple[Decimal, str, dict]:
        file_id, file_no, category = person.file_id, person.file_no, person.category
        amount = holiday_amount(category, params["amounts"])
        label = Category(category).label
        explanation = (
            f"{params['campaign']}：档案 {file_no}（{label}，{params['as_of']} 在档）慰问 {format_yuan(amount)} 元"
        )
        inputs = {
            "campaign": params["campaign"],
            "as_of": params["as_of"],
            "file_id": file_id,
            "file_no": file_no,
            "category": category,
        }
        return amount, explanation, inputs


PLUGINS = (HolidayRelief(),)
