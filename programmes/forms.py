from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from funds.forms import MoneyInput


class DuesImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="税务局代收工会经费文件（xlsx / csv）")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    dry_run = forms.BooleanField(label="仅校验，不导入", required=False)


class DuesReplaceForm(forms.Form):
    """Confirms the replacement of a year's figures by a file already uploaded and previewed."""

    confirm_replace = forms.RegexField(regex=r"^[0-9a-f]{64}$")
    year = forms.IntegerField(min_value=2000, max_value=2100)
    filename = forms.CharField(max_length=200)


class UsageForm(StyledFormMixin, forms.Form):
    spent_on = forms.DateField(label="支出日期", widget=forms.DateInput(attrs={"type": "date"}))
    amount = MoneyInput(label="金额（元）")
    purpose = forms.CharField(label="用途", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("spent_on", timezone.localdate())
