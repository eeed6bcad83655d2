"""The dashboard's and the work report's period picker, and the report editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from core.forms import BoundedForm, StyledFormMixin
from dashboard.figures import Period
from dashboard.periods import KINDS, MAX_YEAR, MIN_YEAR, period_of
from dashboard.report import MAX_TEMPLATE, template_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_RANGE_DAYS = 366 * 10


class PeriodForm(StyledFormMixin, BoundedForm):
    """月度 / 季度 / 年度 / 自定义. With nothing asked: this year up to today."""

    kind = forms.ChoiceField(label="期间", choices=KINDS, initial="year")
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12, required=False)
    quarter = forms.IntegerField(label="季度", min_value=1, max_value=4, required=False)
    start = forms.DateField(label="起始日期", required=False, widget=DATE)
    end = forms.DateField(label="截止日期", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("kind")
        if kind == "range":
            start, end = data.get("start"), data.get("end")
            if not (start and end):
                raise forms.ValidationError("自定义期间请同时填写起始日期和截止日期")
            if end < start:
                raise forms.ValidationError("截止日期不能早于起始日期")
            if start.year < MIN_YEAR or end.year > MAX_YEAR:
                raise forms.ValidationError(f"日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间")
            if (end - start).days > MAX_RANGE_DAYS:
                raise forms.ValidationError("自定义期间不能超过十年")
            data["period"] = Period(start, end)
            return data
        year = data.get("year") or timezone.localdate().year
        number = data.get("month") if kind == "month" else data.get("quarter")
        if kind == "month" and number is None:
            raise forms.ValidationError("请选择月份")
        if kind == "quarter" and number is None:
            raise forms.ValidationError("请选择季度")
        try:
            data["period"] = period_of(kind, year, number)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def default_period() -> Period:
    today = timezone.localdate()
    return Period(today.replace(month=1, day=1), today)


class DraftForm(StyledFormMixin, forms.Form):
    template = forms.CharField(
        label="简报内容（可修改文字；花括号中的数据项保持与数据联动）",
        max_length=MAX_TEMPLATE,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )

    def clean_template(self) -> str:
        text = self.cleaned_data["template"].replace("\r\n", "\n")
        if "\x00" in text:
            raise forms.ValidationError("简报内容含有无效字符")
        errors = template_errors(text)
        if errors:
            raise forms.ValidationError(errors)
        return text
