"""A programme plug-in for the engine's own tests: fixed amounts per organisation code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from core.money import format_yuan, to_yuan
from funds.engine import Param, ParamKind, PeriodSpan, register_programme
from orgs.models import Organisation

KEY = "fixed_test"


class FixedAmounts:
    key = KEY
    label = "测试：固定金额"
    beneficiary_type = "org"
    parameters = (
        Param(
            "amounts",
            "金额表",
            ParamKind.TABLE,
            mapping=True,
            columns=(
                Param("code", "组织编码", ParamKind.TEXT),
                Param("amount", "金额（元）", ParamKind.MONEY, minimum=0),
            ),
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        amounts = params.get("amounts")
        if not isinstance(amounts, dict):
            raise ValidationError({"amounts": "请填写“金额表”"})
        return {"amounts": {code: str(to_yuan(str(v))) for code, v in amounts.items()}}

    def eligible(self, period: PeriodSpan, params: dict[str, Any]):
        return Organisation.objects.filter(code__in=params["amounts"]).order_by("code")

    def compute(self, org: Organisation, period: PeriodSpan, params: dict[str, Any]):
        amount = Decimal(params["amounts"][org.code])
        return amount, f"{org.code} 固定 {format_yuan(amount)} 元", {"code": org.code}


register_programme(KEY, FixedAmounts())


PER_PERSON_KEY = "per_person_test"


class PerPerson:
    """Every person whose name starts with ``prefix`` receives ``amount`` (the worker-kill tests'
    large cycle: tens of thousands of person beneficiaries without building as many unions)."""

    key = PER_PERSON_KEY
    label = "测试：每人固定金额"
    beneficiary_type = "person"
    parameters = (
        Param("prefix", "姓名前缀", ParamKind.TEXT),
        Param("amount", "每人金额（元）", ParamKind.MONEY, minimum=0),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"prefix": str(params.get("prefix") or ""), "amount": str(to_yuan(str(params.get("amount", "0"))))}

    def eligible(self, period: PeriodSpan, params: dict[str, Any]):
        from members.models import Person

        return Person.objects.filter(name__startswith=params["prefix"]).order_by("pk").only("pk", "name")

    def compute(self, person: Any, period: PeriodSpan, params: dict[str, Any]):
        amount = Decimal(params["amount"])
        return amount, f"每人固定 {format_yuan(amount)} 元", {}


register_programme(PER_PERSON_KEY, PerPerson())
