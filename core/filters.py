"""The one base for every FilterSet of the project (pages, exports and the API share them).

Its form is ``core.forms.BoundedForm``: ids within the column's range, dates within 1900–2100,
decimals finite, free text bounded. ``filter_queryset(filterset, base)`` is the one rule for an
invalid filter: **no rows**, never the unfiltered list, plus the errors as a Chinese message.
The API's ``DjangoFilterBackend`` already answers an invalid filterset with a 400 listing the errors.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.forms import DATE_MAX, DATE_MIN, BoundedFormMixin, form_error_text


class FilterSet(django_filters.FilterSet):
    """Base of every app's FilterSet: its form carries the house's input bounds."""

    def get_form_class(self) -> type:
        form_class = super().get_form_class()
        if issubclass(form_class, BoundedFormMixin):
            return form_class
        return type(form_class.__name__, (BoundedFormMixin, form_class), {})


def filter_queryset(request: HttpRequest | None, filterset: django_filters.FilterSet, base: QuerySet) -> QuerySet:
    """The filtered rows; when the filter is invalid, none (and the errors shown as a message)."""
    if not filterset.is_bound:
        return base
    if not filterset.is_valid():
        if request is not None:
            messages.error(request, "筛选条件有误，未显示任何记录：" + form_error_text(filterset.form))
        return base.none()
    return filterset.qs


def invalid_params(request: HttpRequest, form: Any) -> bool:
    """For a plain parameter form: True (and a message naming the fields) when it is invalid."""
    if form.is_bound and not form.is_valid():
        messages.error(request, "参数有误：" + form_error_text(form))
        return True
    return False


class YearField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", DATE_MIN.year)
        kwargs.setdefault("max_value", DATE_MAX.year)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year, 1900..2100 (``held_on__year=99999`` would be a 500 on the database)."""

    field_class = YearField
