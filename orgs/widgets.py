"""The organisation picker's widget: a plain select (or, beside a tree, a hidden value) that
static/gonghui/picker.js turns into a search box with a tree to browse.

Without JavaScript the select still works: it lists the choosable organisations in tree order (the
first ``FALLBACK_LIMIT``). A list's filter has the tree beside it instead (``options=False``), whose
links set the same parameter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from orgs.models import Organisation

FALLBACK_LIMIT = 500


class OrganisationPicker(forms.Select):
    template_name = "orgs/widgets/picker.html"
    multiple = False

    def __init__(self, attrs: dict[str, Any] | None = None, *, options: bool = True) -> None:
        super().__init__(attrs)
        self.options = options  # whether the page lists the choices itself (the no-script fallback)
        self.scope_query = ""
        self.value_field = "id"
        self.offered: list[Organisation] = []
        self.truncated = False
        self.fixed: Organisation | None = None
        self.known: dict[str, Organisation] = {}  # chosen organisations already loaded by the field

    def value_of(self, organisation: Organisation) -> str:
        return str(getattr(organisation, "pk" if self.value_field == "id" else self.value_field))

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        return []  # the template lists ``offered``: Select's own choices would query every organisation

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = [v for v in self.format_value(value) if v]
        offered = {self.value_of(o): o for o in self.offered}
        by_value = offered | self.known
        # A chosen organisation beyond the listed ones is listed first, so the select keeps it.
        choices = [(v, picker_label(by_value[v]), True) for v in chosen if v in self.known and v not in offered]
        choices += [(v, picker_label(o), v in chosen) for v, o in offered.items()]
        context["picker"] = {
            "url": f"{reverse('orgs:search')}?{self.scope_query}",
            "value_field": self.value_field,
            "multiple": self.multiple,
            "options": self.options,
            "choices": choices,
            "chosen": [(v, picker_label(by_value[v])) for v in chosen if v in by_value],
            "truncated": self.truncated,
            "limit": FALLBACK_LIMIT,
            "fixed": self.fixed,
            "fixed_value": self.value_of(self.fixed) if self.fixed else "",
            "placeholder": "请选择组织",
        }
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        # The project's template directories (the default form renderer only sees the apps' own).
        return mark_safe(render_to_string(template_name, context))


class OrganisationMultiPicker(OrganisationPicker):
    allow_multiple_selected = True
    multiple = True


def picker_label(organisation: Organisation) -> str:
    return f"{organisation.name}（{organisation.code}）"
