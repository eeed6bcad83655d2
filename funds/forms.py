from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from core.forms import BoundedForm, StyledFormMixin
from core.money import format_yuan, to_yuan
from funds.engine import Param, ParamKind
from funds.models import Account, Donation
from orgs.forms import OrganisationMultipleChoiceField, bind_pickers
from orgs.pickers import PickerScope
from orgs.roles import Perm


class MoneyInput(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return value
        return to_yuan(value)


class DonationForm(StyledFormMixin, forms.Form):
    donor_kind = forms.ChoiceField(label="捐赠方类型", choices=Donation.DonorKind.choices)
    donor_name = forms.CharField(label="捐赠方名称", max_length=120)
    anonymous = forms.BooleanField(label="匿名（收据与公示名单中隐去捐赠方）", required=False)
    amount = MoneyInput(label="金额（元）")
    received_on = forms.DateField(label="到账日期", widget=forms.DateInput(attrs={"type": "date"}))
    fund = forms.ModelChoiceField(label="接收基金", queryset=Account.objects.none())
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.initial.setdefault("received_on", timezone.localdate())


class AllocationForm(StyledFormMixin, forms.Form):
    fund = forms.ModelChoiceField(label="拨入基金", queryset=Account.objects.none())
    amount = MoneyInput(label="金额（元）")
    on = forms.DateField(label="拨款日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200)

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.initial.setdefault("on", timezone.localdate())


class ReverseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="冲销理由", max_length=200)
    on = forms.DateField(label="冲销日期", widget=forms.DateInput(attrs={"type": "date"}), initial=date.today)


class CycleForm(StyledFormMixin, forms.Form):
    period_key = forms.CharField(
        label="期间", max_length=16, help_text="如 2026（年度/一次性）、2026-Q3（季度）、2026-11（月度）"
    )


MAX_TABLE_ROWS = 50


class YuanField(forms.DecimalField):
    """An amount as people type it ("1,200.5", "￥150"), read by ``core.money.to_yuan``; then the
    decimal field's own bounds (minimum, maximum, digits) apply."""

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        return to_yuan(str(value))


def _percent(ratio: Any) -> Decimal:
    return (Decimal(str(ratio)) * 100).normalize()


def _declared_field(p: Param, *, required: bool) -> forms.Field:
    """The form field a person uses for one declared parameter (or one column of a table)."""
    common: dict[str, Any] = {"label": p.label, "help_text": p.help, "required": required}
    bounds = {"min_value": p.minimum, "max_value": p.maximum}
    number = forms.TextInput(attrs={"inputmode": "decimal"})
    if p.kind == ParamKind.MONEY:
        return YuanField(**common, **bounds, max_digits=14, decimal_places=2, widget=number)
    if p.kind == ParamKind.RATIO:
        common["label"] = f"{p.label}（%）"
        return forms.DecimalField(**common, min_value=0, max_value=100, decimal_places=4, widget=number)
    if p.kind == ParamKind.DECIMAL:
        return forms.DecimalField(**common, **bounds, decimal_places=4, widget=number)
    if p.kind == ParamKind.INT:
        return forms.IntegerField(**common, **bounds, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    if p.kind == ParamKind.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if p.kind == ParamKind.BOOL:
        return forms.BooleanField(label=p.label, help_text=p.help, required=False)
    if p.kind == ParamKind.CHOICE:
        return forms.ChoiceField(**common, choices=p.choices)
    if p.kind == ParamKind.ORGANISATIONS:
        # Picked (orgs.forms), of the declared kinds, among those the user prepares programmes for.
        return OrganisationMultipleChoiceField(
            **common, scope=PickerScope(perm=Perm.FUND_PREPARE, kinds=p.org_kinds), to_field_name="code"
        )
    return forms.CharField(**common, max_length=60)


def _to_form(p: Param, value: Any) -> Any:
    """A stored parameter value as its form field shows it."""
    if value in (None, ""):
        return None
    if p.kind == ParamKind.RATIO:
        return _percent(value)
    if p.kind == ParamKind.MONEY:
        return format_yuan(value)  # "3,000.00": the field reads it back (YuanField)
    if p.kind == ParamKind.DATE:
        return date.fromisoformat(str(value))
    return value


def _from_form(p: Param, value: Any) -> Any:
    """A cleaned form value as the plug-in's parameters hold it (JSON: strings for Decimals)."""
    if p.kind == ParamKind.BOOL:
        return bool(value)
    if value is None or value == "":
        return None
    if p.kind == ParamKind.RATIO:
        return str((value / 100).normalize())
    if p.kind in (ParamKind.MONEY, ParamKind.DECIMAL):
        return str(value)
    if p.kind == ParamKind.DATE:
        return value.isoformat()
    if p.kind == ParamKind.ORGANISATIONS:
        return sorted(o.code for o in value)
    return value


def _rows(p: Param, value: Any) -> list[dict[str, Any]]:
    """A table parameter's stored value as rows of {column: value}."""
    if p.mapping and isinstance(value, dict):
        key, val = p.columns[0].name, p.columns[1].name
        return [{key: k, val: v} for k, v in value.items()]
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _row_count(data: Any, name: str, default: int) -> int:
    """How many rows a table shows: the posted count (bounded), else the stored rows and one blank."""
    raw = str(data.get(name, "")).strip() if data is not None else ""
    return min(int(raw), MAX_TABLE_ROWS) if raw.isascii() and raw.isdigit() and int(raw) > 0 else default


class ParameterForm(StyledFormMixin, forms.Form):
    """A new parameter version, as a form built from the plug-in's declared parameters.

    A table parameter (e.g. the start-up grant's tiers) is a grid of rows: ``<name>-<i>-<column>``
    fields, and a hidden field ``<name>`` holding the number of rows (the page adds rows without a
    reload; a blank row is ignored). ``cleaned_data["params"]`` is what the plug-in validates; its
    refusals come back keyed by parameter and are shown beside the parameter (the table's hidden
    field carries a table's errors).
    """

    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        parameters: tuple[Param, ...],
        current: dict[str, Any] | None = None,
        user: Any,
        **kwargs: Any,
    ) -> None:
        self.parameters = parameters
        current = current or {}
        fields: dict[str, forms.Field] = {}
        initial: dict[str, Any] = {}
        self.row_counts: dict[str, int] = {}
        for p in parameters:
            if p.kind == ParamKind.TABLE:
                rows = _rows(p, current.get(p.name))
                count = _row_count(data, p.name, len(rows) + 1)
                self.row_counts[p.name] = count
                fields[p.name] = forms.IntegerField(label=p.label, widget=forms.HiddenInput, required=False)
                initial[p.name] = count
                for i in range(count):
                    for col in p.columns:
                        fields[f"{p.name}-{i}-{col.name}"] = _declared_field(col, required=False)
                        if i < len(rows):
                            initial[f"{p.name}-{i}-{col.name}"] = _to_form(col, rows[i].get(col.name))
            else:
                required = p.required and p.kind != ParamKind.BOOL
                fields[p.name] = _declared_field(p, required=required)
                initial[p.name] = _to_form(p, current.get(p.name, p.default))
        # The declared fields join the class's before Django copies them, so the house's bounds and
        # classes (StyledFormMixin) reach them too.
        self.base_fields = {**type(self).base_fields, **fields}
        super().__init__(data, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        bind_pickers(self, user)

    def layout(self) -> list[dict[str, Any]]:
        """The declared parameters in order, each a field or a table (columns, rows of fields, errors)."""
        out = []
        for p in self.parameters:
            if p.kind == ParamKind.TABLE:
                rows = [[self[f"{p.name}-{i}-{c.name}"] for c in p.columns] for i in range(self.row_counts[p.name])]
                out.append({"table": p, "count": self[p.name], "rows": rows})
            else:
                out.append({"field": self[p.name]})
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        params: dict[str, Any] = {}
        for p in self.parameters:
            if p.kind != ParamKind.TABLE:
                params[p.name] = _from_form(p, data.get(p.name))
                continue
            rows = []
            for i in range(self.row_counts[p.name]):
                names = [f"{p.name}-{i}-{c.name}" for c in p.columns]
                if any(n in self.errors for n in names):
                    continue
                values = [data.get(n) for n in names]
                if all(v in (None, "") for v in values):
                    continue  # a blank row
                if any(v in (None, "") for v in values):
                    missing = "、".join(c.label for c, v in zip(p.columns, values, strict=True) if v in (None, ""))
                    self.add_error(p.name, f"“{p.label}”第 {i + 1} {p.row_label}：请填写{missing}")
                    continue
                rows.append({c.name: _from_form(c, v) for c, v in zip(p.columns, values, strict=True)})
            if p.mapping:
                key, val = p.columns[0].name, p.columns[1].name
                params[p.name] = {str(r[key]): r[val] for r in rows}
            else:
                params[p.name] = rows
        data["params"] = params
        return data


class AdjustForm(StyledFormMixin, forms.Form):
    amount = MoneyInput(label="调整后金额（元）")
    reason = forms.CharField(label="调整理由（必填）", max_length=300)


class StatementForm(BoundedForm):
    start = forms.DateField(label="开始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)
