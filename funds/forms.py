from __future__ import annotations

import json
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import BoundedForm, StyledFormMixin
from core.money import to_yuan
from funds.models import Account, Donation


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


class VersionForm(StyledFormMixin, forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    params = forms.CharField(label="参数（JSON）", widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean_params(self):
        try:
            value = json.loads(self.cleaned_data["params"])
        except json.JSONDecodeError as exc:
            raise ValidationError(f"参数不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误") from None
        if not isinstance(value, dict):
            raise ValidationError("参数应为 JSON 对象（{…}）")
        return value


class AdjustForm(StyledFormMixin, forms.Form):
    amount = MoneyInput(label="调整后金额（元）")
    reason = forms.CharField(label="调整理由（必填）", max_length=300)


class StatementForm(BoundedForm):
    start = forms.DateField(label="开始日期", required=False)
    end = forms.DateField(label="截止日期", required=False)
