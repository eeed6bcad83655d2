"""Model and form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from core.validators import normalize_credit_code


class CreditCodeFormField(forms.CharField):
    """A credit code as typed or pasted (full-width, spaced, lower case): normalised on input."""

    def to_python(self, value: Any) -> str:
        return normalize_credit_code(super().to_python(value))


class CreditCodeField(models.CharField):
    """A unified social credit code, always stored normalised (``core.validators.normalize_credit_code``).

    Whoever writes the row (a form, a service, an import, ``update()``) stores the normal form, and a
    lookup (``filter(credit_code=...)``) compares the normal form, so two spellings of one code are
    one value for the database's unique constraints as for people.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_credit_code(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return normalize_credit_code(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = normalize_credit_code(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        # No HTML maxlength: a pasted "9135 0100 …" is longer than 18 before it is normalised; the
        # length is checked on the normal form (validate_credit_code, with a Chinese message).
        return super().formfield(**{"form_class": CreditCodeFormField, "max_length": None, **kwargs})
