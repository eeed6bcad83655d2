from __future__ import annotations

from typing import Any

from django import forms

from core.forms import StyledFormMixin
from orgs.models import Organisation
from orgs.services import EDITABLE_FIELDS, credit_code_conflict


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = EDITABLE_FIELDS
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_credit_code(self) -> str:
        """Normalised by the field; checked here against the active unions with the service's message."""
        code = self.cleaned_data.get("credit_code", "")
        if code and (self.instance.pk is None or self.instance.is_active):
            conflict = credit_code_conflict(actor=self.actor, code=code, exclude_pk=self.instance.pk)
            if conflict:
                raise forms.ValidationError(conflict)
        return code


class MoveForm(StyledFormMixin, forms.Form):
    new_parent = forms.CharField(label="新的上级组织编码", max_length=40)


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label="撤销日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="撤销原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    confirm = forms.BooleanField(label="我已确认：撤销后该组织不能再新增会员和业务", required=True)
