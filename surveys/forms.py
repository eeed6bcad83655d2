"""Survey forms (the pages'; the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import StyledFormMixin
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm
from surveys.models import Question, Survey


class SurveyForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="发起工会", scope=PickerScope(perm=Perm.SURVEY_MANAGE), help_text="发给该工会及下级的在册会员"
    )
    title = forms.CharField(label="问卷名称", max_length=120)
    intro = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    anonymous = forms.BooleanField(
        label="匿名问卷", required=False, help_text="匿名：平台不保存答卷与答卷人的对应关系，发放后不能更改"
    )
    audience = forms.ChoiceField(label="调查对象", choices=Survey.Audience.choices)
    sample_size = forms.IntegerField(label="抽样人数", required=False, min_value=1, max_value=100_000)
    closes_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))


class QuestionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="题型", choices=Question.Kind.choices)
    text = forms.CharField(label="题目", max_length=300)
    required = forms.BooleanField(label="必答", required=False, initial=True)
    options = forms.CharField(
        label="选项（选择题，每行一个）", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale_min = forms.IntegerField(label="量表最低分", required=False, min_value=0, max_value=10, initial=1)
    scale_max = forms.IntegerField(label="量表最高分", required=False, min_value=0, max_value=10, initial=5)
    condition_on = forms.ModelChoiceField(
        label="仅当此题…", required=False, queryset=Question.objects.none(), empty_label="（总是显示）"
    )
    condition_values = forms.CharField(
        label="…选了以下选项之一时显示（每行一个）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condition_on"].queryset = survey.questions.filter(kind__in=Question.CHOICE_KINDS)

    def service_kwargs(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {
            "kind": cd["kind"],
            "text": cd["text"],
            "required": cd["required"],
            "options": cd["options"].splitlines(),
            "scale_min": cd["scale_min"] if cd["scale_min"] is not None else 1,
            "scale_max": cd["scale_max"] if cd["scale_max"] is not None else 5,
            "condition_on": cd["condition_on"],
            "condition_values": cd["condition_values"].splitlines(),
        }
