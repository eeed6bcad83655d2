"""Reform forms (the pages'; the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms

from appeals.forms import MultipleFileField
from core.forms import StyledFormMixin
from orgs.forms import OrganisationChoiceField, OrganisationMultipleChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm
from reform.models import Phase, Plan

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
ATTACH_HELP = "可上传图片、PDF、Word、Excel、PPT，最多 5 个，每个不超过 10 MB"


class PlanForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(label="制定单位", scope=PickerScope(perm=Perm.REFORM_MANAGE))
    title = forms.CharField(label="方案名称", max_length=160)
    kind = forms.ChoiceField(label="类型", choices=Plan.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    starts_on = forms.DateField(label="开始日期", **DATE)
    ends_on = forms.DateField(label="完成日期", **DATE)
    summary = forms.CharField(
        label="主要内容", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PhaseForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="阶段名称", max_length=60)
    goal = forms.CharField(label="阶段目标", required=False, max_length=300)
    starts_on = forms.DateField(label="开始日期", **DATE)
    ends_on = forms.DateField(label="结束日期", **DATE)


class TaskForm(PickerFormMixin, StyledFormMixin, forms.Form):
    number = forms.CharField(label="编号", max_length=12)
    title = forms.CharField(label="任务", max_length=200)
    phase = forms.ModelChoiceField(
        label="阶段", required=False, queryset=Phase.objects.none(), empty_label="（不分阶段）"
    )
    responsible_org = OrganisationChoiceField(label="责任单位", scope=PickerScope(perm=Perm.REFORM_MANAGE))
    responsible_person = forms.CharField(label="责任人", required=False, max_length=60)
    starts_on = forms.DateField(label="开始日期", **DATE)
    due_on = forms.DateField(label="完成时限", **DATE)
    pilot_sites = OrganisationMultipleChoiceField(
        label="试点单位", required=False, scope=PickerScope(perm=Perm.REFORM_MANAGE)
    )
    description = forms.CharField(
        label="工作要求", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = plan.phases.order_by("position")


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="节点", max_length=200)
    due_on = forms.DateField(label="节点时限", **DATE)


class ReportForm(StyledFormMixin, forms.Form):
    reported_on = forms.DateField(label="报告日期", **DATE)
    percent = forms.IntegerField(label="完成比例（%）", min_value=0, max_value=100)
    text = forms.CharField(label="进展情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label="附件", help_text=ATTACH_HELP)


class ReportDateForm(forms.Form):
    on = forms.DateField(label="截至日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_on(self) -> Any:
        on = self.cleaned_data["on"]
        if on is not None and not 2000 <= on.year <= 2100:
            raise forms.ValidationError("日期须在 2000—2100 年之间")
        return on
