"""The activity report form (the page's; the service checks again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from activities.models import Activity
from core.forms import StyledFormMixin
from orgs.models import Organisation


class ActivityForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="举办工会", queryset=Organisation.objects.none())
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices)
    held_on = forms.DateField(label="举办日期", widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.IntegerField(label="参加人数", min_value=1, max_value=1_000_000)

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unions
