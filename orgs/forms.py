from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django import forms

from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField, StyledFormMixin, ids_from
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.roles import Perm
from orgs.services import EDITABLE_FIELDS, credit_code_conflict
from orgs.widgets import FALLBACK_LIMIT, OrganisationMultiPicker, OrganisationPicker, picker_label


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


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label="撤销日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="撤销原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    confirm = forms.BooleanField(label="我已确认：撤销后该组织不能再新增会员和业务", required=True)


# --- the organisation picker: the one way a person chooses an organisation ----------------------------

CHOICE_REFUSED = "所选组织不存在，或不在您可选择的范围内"


class PickerFieldMixin:
    """A choice of organisation offered through ``orgs.pickers.PickerScope``: the form binds the user
    (``bind_pickers``), and the choices, the search endpoint and the validation then all read the same
    scoped rows. An id outside them, a 30-digit id or text is refused with ``CHOICE_REFUSED``."""

    widget_class: type[OrganisationPicker] = OrganisationPicker

    def __init__(self, *, scope: PickerScope | None = None, options: bool = True, **kwargs: Any) -> None:
        self.scope = scope or PickerScope()
        kwargs.setdefault("widget", self.widget_class(options=options))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": CHOICE_REFUSED, "invalid_pk_value": CHOICE_REFUSED, "invalid_list": CHOICE_REFUSED},
        )
        super().__init__(queryset=Organisation.objects.none(), **kwargs)  # type: ignore[call-arg]

    def for_user(self, user: Any, **scope_changes: Any) -> None:
        if scope_changes:
            self.scope = replace(self.scope, **scope_changes)
        self.queryset = self.scope.choosable(user)  # type: ignore[attr-defined]
        widget: OrganisationPicker = self.widget  # type: ignore[attr-defined]
        widget.scope_query = self.scope.query()
        widget.value_field = self.to_field_name or "id"  # type: ignore[attr-defined]
        if widget.options or self.required:  # type: ignore[attr-defined]
            # One query: the no-script choices, and whether exactly one organisation may be chosen.
            offered = list(self.queryset[: FALLBACK_LIMIT + 1])  # type: ignore[attr-defined]
            widget.truncated = len(offered) > FALLBACK_LIMIT
            widget.offered = offered[:FALLBACK_LIMIT] if widget.options else []
            if len(offered) == 1 and self.required:  # type: ignore[attr-defined]
                widget.fixed = offered[0]

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The organisations this field has loaded (offered or chosen), never a query over all of them:
        what a filter chip or an error message reads."""
        widget: OrganisationPicker = self.widget  # type: ignore[attr-defined]
        loaded = {widget.value_of(o): o for o in widget.offered} | widget.known
        return [(value, picker_label(o)) for value, o in loaded.items()]

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # ModelChoiceField hands its queryset's iterator to the widget: the widget lists ``offered``

    @property
    def only_choice(self) -> Organisation | None:
        return self.widget.fixed  # type: ignore[attr-defined]

    def remember_initial(self, value: Any) -> None:
        """Load the initially chosen organisations the no-script list does not hold (one query, when any),
        so that saving the form unchanged keeps them; values outside the user's choices stay unknown."""
        widget: OrganisationPicker = self.widget  # type: ignore[attr-defined]
        given = list(value) if isinstance(value, list | tuple) else [value]
        self.remember(o for o in given if isinstance(o, Organisation))  # already loaded by the view
        values = [str(v) for v in given if v not in (None, "") and not isinstance(v, Organisation)]
        offered = {widget.value_of(o) for o in widget.offered}
        missing = [v for v in values if v not in offered and v not in widget.known]
        key = self.to_field_name or "pk"  # type: ignore[attr-defined]
        if key == "pk":
            missing = [str(i) for i in ids_from(missing)]
        if missing:
            self.remember(self.queryset.filter(**{f"{key}__in": missing}))  # type: ignore[attr-defined]

    def remember(self, organisations: Iterable[Organisation]) -> None:
        widget: OrganisationPicker = self.widget  # type: ignore[attr-defined]
        widget.known.update({widget.value_of(o): o for o in organisations})


class OrganisationChoiceField(PickerFieldMixin, BoundedModelChoiceField):
    def clean(self, value: Any) -> Organisation | None:
        organisation = super().clean(value)
        if organisation is not None:
            self.remember([organisation])
        return organisation


class OrganisationMultipleChoiceField(PickerFieldMixin, BoundedModelMultipleChoiceField):
    widget_class = OrganisationMultiPicker

    def clean(self, value: Any) -> Any:
        organisations = super().clean(value)
        self.remember(organisations)
        return organisations


def bind_pickers(form: forms.BaseForm, user: Any, changes: dict[str, dict[str, Any]] | None = None) -> None:
    """Bind every organisation picker of ``form`` to ``user`` (``changes``: scope changes by field name);
    when exactly one organisation may be chosen, it is preset."""
    for name, field in form.fields.items():
        if isinstance(field, PickerFieldMixin):
            field.for_user(user, **(changes or {}).get(name, {}))
            only = field.only_choice
            if form.is_bound:
                continue
            if only is not None:
                form.initial[name] = field.widget.value_of(only)  # type: ignore[attr-defined]
            else:
                field.remember_initial(form.initial.get(name, field.initial))


class PickerFormMixin:
    """A form with organisation pickers: pass ``user=request.user``."""

    picker_changes: dict[str, dict[str, Any]] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user, self.picker_changes)  # type: ignore[arg-type]


class MoveForm(PickerFormMixin, StyledFormMixin, forms.Form):
    new_parent = OrganisationChoiceField(
        label="新的上级组织", scope=PickerScope(perm=Perm.ORG_MOVE), help_text="不能选择该组织本身或它的下级"
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.picker_changes = {"new_parent": {"exclude_pk": organisation.pk}}
        super().__init__(*args, **kwargs)
