"""The yearly assessment form (the page's; the service checks again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import StyledFormMixin
from orgs.models import Organisation


class AssessmentForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="被考评工会", queryset=Organisation.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    score = forms.DecimalField(label="得分", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    passed = forms.BooleanField(label="考评通过", required=False)

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unions
