"""Form rendering and input bounds shared by every form of the project.

Every widget gets Tabler's classes, so templates stay plain. Every field also gets the house's
input bounds (DESIGN.md §8, "hostile query values"): an integer or an object id lies within a
64-bit signed column, a date within 1900-01-01..2100-12-31, a decimal is finite. A value outside
fails the form with a Chinese message naming the field, so no filter, parameter form or edit form
hands the database a value it cannot store or compare (the cause of the 500s found in review).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

ID_MIN, ID_MAX = 1, 2**63 - 1
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
MAX_TEXT = 200  # a filter's free text longer than this is refused rather than searched


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or name)


def _int_bounds(field: forms.Field, name: str) -> None:
    label = _label(field, name)

    def check(value: Any) -> None:
        if value is None or value == "":
            return
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            return  # the field's own validation names the format
        if not INT_MIN <= number <= INT_MAX:
            raise ValidationError(f"{label}：数值超出允许范围", code="out_of_range")

    field.validators.append(check)


def _date_bounds(field: forms.Field, name: str) -> None:
    label = _label(field, name)

    def check(value: Any) -> None:
        if isinstance(value, date) and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationError(f"{label}：日期应在 1900-01-01 至 2100-12-31 之间", code="out_of_range")

    field.validators.append(check)


def _decimal_bounds(field: forms.Field, name: str) -> None:
    label = _label(field, name)

    def check(value: Any) -> None:
        if value is None or value == "":
            return
        number = Decimal(value) if isinstance(value, int | float) else value
        if not isinstance(number, Decimal):
            return
        if not number.is_finite():
            raise ValidationError(f"{label}：应为有限的数字", code="invalid")
        if abs(number) > INT_MAX:
            raise ValidationError(f"{label}：数值超出允许范围", code="out_of_range")

    field.validators.append(check)


class BoundedModelChoiceMixin:
    """An id that cannot be a primary key (not digits, or beyond the column) is simply not a choice:
    the database is never asked (SQLite raises OverflowError on a 30-digit integer)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:  # type: ignore[attr-defined]
            return None
        key = getattr(self, "to_field_name", None)
        if not key and not _is_id(value) and not hasattr(value, "_meta"):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")  # type: ignore[attr-defined]
        return super().to_python(value)  # type: ignore[misc]


def _is_id(value: Any) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and ID_MIN <= int(text) <= ID_MAX


class BoundedModelChoiceField(BoundedModelChoiceMixin, forms.ModelChoiceField):
    pass


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if not self.to_field_name:
            for v in value:
                if not _is_id(v):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v}
                    )
        return super()._check_values(value)


def ids_from(values: list[str]) -> list[int]:
    """The valid object ids among raw strings (e.g. ``request.POST.getlist("id")``); others are dropped."""
    return [int(v) for v in values if _is_id(v)]


def finite_decimal(raw: str) -> Decimal | None:
    """A finite Decimal from text, or None (NaN, Infinity and garbage are not numbers here)."""
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def bound_fields(form: forms.BaseForm) -> None:
    """Give every field of ``form`` the house's input bounds (idempotent per form instance)."""
    for name, field in form.fields.items():
        if getattr(field, "_gonghui_bounded", False):
            continue
        field._gonghui_bounded = True  # type: ignore[attr-defined]
        if isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, (BoundedModelChoiceMixin, BoundedModelMultipleChoiceField)
        ):
            base = forms.ModelMultipleChoiceField if isinstance(field, forms.ModelMultipleChoiceField) else None
            field.__class__ = (
                type(f"Bounded{type(field).__name__}", (BoundedModelMultipleChoiceField, type(field)), {})
                if base
                else type(f"Bounded{type(field).__name__}", (BoundedModelChoiceMixin, type(field)), {})
            )
        elif isinstance(field, forms.IntegerField):
            _int_bounds(field, name)
        elif isinstance(field, forms.DecimalField | forms.FloatField):
            _decimal_bounds(field, name)
        elif isinstance(field, forms.DateTimeField | forms.DateField):
            _date_bounds(field, name) if isinstance(field, forms.DateField) else _datetime_bounds(field, name)
        elif (
            isinstance(field, forms.CharField)
            and field.max_length is None
            and not isinstance(field.widget, forms.Textarea)
        ):
            field.max_length = MAX_TEXT
            field.validators.append(_max_text_validator(_label(field, name)))


def _max_text_validator(label: str):
    def check(value: Any) -> None:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise ValidationError(f"{label}：不超过 {MAX_TEXT} 个字符", code="max_length")

    return check


def _datetime_bounds(field: forms.Field, name: str) -> None:
    label = _label(field, name)

    def check(value: Any) -> None:
        if value is not None and hasattr(value, "date") and not DATE_MIN <= value.date() <= DATE_MAX:
            raise ValidationError(f"{label}：日期应在 1900-01-01 至 2100-12-31 之间", code="out_of_range")

    field.validators.append(check)


class BoundedFormMixin:
    """Every field within the house's bounds (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_fields(self)  # type: ignore[arg-type]


class StyledFormMixin(BoundedFormMixin):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class BoundedForm(BoundedFormMixin, forms.Form):
    """A plain parameter form (a page's GET parameters) with the house's bounds."""


def form_error_text(form: forms.BaseForm) -> str:
    """All errors of a form as one Chinese line, each naming its field: for a list page's message."""
    parts = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label or name) if name in form.fields else ""
        for e in errors:
            text = str(e)
            parts.append(text if not label or text.startswith(label) else f"{label}：{text}")
    return "；".join(parts)
