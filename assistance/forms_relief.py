"""Forms of the relief and scholarship pages: what a person types, bounded; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from appeals.forms import MultipleFileField
from assistance.models import HouseholdMember, SchoolLevel
from core.forms import StyledFormMixin

DOC_HELP = "PDF、JPG 或 PNG，最多 5 个，每个不超过 10 MB"


class ReliefForm(StyledFormMixin, forms.Form):
    illness = forms.CharField(label="所患疾病", max_length=120)
    hospital = forms.CharField(label="就诊医院", max_length=120)
    treatment_start = forms.DateField(label="治疗开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    treatment_end = forms.DateField(
        label="治疗结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="仍在治疗可不填"
    )
    # Amounts as text: the service reads them with core.money.to_yuan and names the field it refuses.
    total_cost = forms.CharField(label="医疗费用总额（元）", max_length=20)
    basic_insurance = forms.CharField(label="基本医疗保险报销（元）", max_length=20, required=False)
    serious_illness_insurance = forms.CharField(label="大病保险报销（元）", max_length=20, required=False)
    supplementary_insurance = forms.CharField(label="补充医疗保险报销（元）", max_length=20, required=False)
    situation = forms.CharField(label="困难情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    documents = MultipleFileField(label="证明材料（诊断证明、费用清单、报销单）", help_text=DOC_HELP)

    def costs(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {
            k: cd.get(k) or ""
            for k in ("total_cost", "basic_insurance", "serious_illness_insurance", "supplementary_insurance")
        }


class ScholarshipForm(StyledFormMixin, forms.Form):
    child = forms.ModelChoiceField(HouseholdMember.objects.none(), label="子女", empty_label="请选择")
    level = forms.ChoiceField(label="就读阶段", choices=[("", "请选择"), *SchoolLevel.choices])
    school = forms.CharField(label="学校", max_length=120)
    grade = forms.CharField(label="年级或入学年份", max_length=40, required=False)
    documents = MultipleFileField(label="录取通知书或在读证明", help_text=DOC_HELP)

    def __init__(self, *args: Any, children: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if children is not None:
            self.fields["child"].queryset = children
        self.fields["child"].label_from_instance = lambda m: f"{m.name}（{m.birth_date:%Y} 年生）"
        self.year = timezone.localdate().year


class OpinionForm(StyledFormMixin, forms.Form):
    opinion = forms.CharField(label="意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
