"""The programme engine's plug-in registry. The engine knows no particular programme.

A plug-in is any object with:

- ``key`` and ``label`` (str), ``beneficiary_type`` ("org" or "person");
- ``parameters``: a tuple of ``Param``, the declared parameters (Chinese label, kind, help): the
  programme page builds its parameter form and its table of versions from them, so a person never
  types JSON nor reads a key;
- ``validate_parameters(params: dict) -> dict``: raise ``ValidationError`` with a Chinese message
  naming the parameter by its label (a dict keyed by the parameter's name puts the message beside
  its field), return the normalised parameters;
- ``eligible(period: PeriodSpan, params: dict) -> Iterable``: the beneficiaries (Organisation or
  Person rows — or, for persons, any object with the person's ``pk`` and their name as ``str()``,
  so a large cycle need not build model instances; a queryset may carry annotations that ``compute`` reads, so that a cycle of 50,000
  costs a handful of queries, not one per beneficiary);
- ``compute(beneficiary, period: PeriodSpan, params: dict) -> (Decimal, str, dict)``: amount in
  yuan, a human-readable explanation ("会员 42 人 × 100.00 元 = 4,200.00 元") and the inputs;
- optionally ``uses_parameter_history = True``: ``eligible`` is then called with a keyword
  ``history``, a function ``history(on: date) -> (effective_from, params) | None`` giving the
  programme's validated parameters in force on a date (a rule that compares a year with the year
  before reads each year's own parameters);
- optionally ``once_per_beneficiary = True``: a beneficiary is paid at most once across every
  programme of this plug-in, ever (a unique constraint on ``funds.OnceBenefit``);
- optionally ``after_payment(cycle)``: called when the cycle's payments are posted, in the same
  transaction (a ``ValidationError`` it raises undoes the approval whole): the plug-in records
  what the payments settled (the living allowance claims each month it paid, once ever);
- optionally ``cycle_links(cycle) -> list[(label, url)]``: more buttons on the cycle page (the
  living allowance's bank list with the payees' accounts).

Plug-ins register from their app's ``AppConfig.ready()`` with ``register_programme``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError

# "Which parameters were in force on this date": (effective_from, validated params), or None.
ParameterHistory = Callable[[date], tuple[date, dict[str, Any]] | None]


@dataclass(frozen=True)
class PeriodSpan:
    key: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year


class ParamKind:
    MONEY = "money"  # yuan, two places
    RATIO = "ratio"  # stored as a fraction ("0.4"), entered and shown as a percentage (40%)
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    TEXT = "text"
    BOOL = "bool"
    CHOICE = "choice"  # one of ``choices`` (value, Chinese label)
    ORGANISATIONS = "organisations"  # organisation codes, chosen from the organisations of ``org_kinds``
    TABLE = "table"  # rows of ``columns``; with ``mapping`` the rows are {first column: second column}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a plug-in: how a person enters and reads it."""

    name: str
    label: str
    kind: str
    help: str = ""
    required: bool = True
    default: Any = None
    minimum: Any = None  # for money, int and decimal
    maximum: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    columns: tuple[Param, ...] = ()
    mapping: bool = False
    org_kinds: tuple[str, ...] = ()
    row_label: str = "行"  # a table's row, as its messages name it ("档")


class ProgrammePlugin(Protocol):
    key: str
    label: str
    beneficiary_type: str
    parameters: tuple[Param, ...]

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]: ...

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Any]: ...

    def compute(self, beneficiary: Any, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]: ...


_REGISTRY: dict[str, ProgrammePlugin] = {}


def register_programme(key: str, plugin: ProgrammePlugin) -> None:
    existing = _REGISTRY.get(key)
    if existing is not None and existing is not plugin and type(existing) is not type(plugin):
        raise ValueError(f"programme plugin {key!r} is already registered")
    _REGISTRY[key] = plugin


def get_plugin(key: str) -> ProgrammePlugin:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ValidationError(f"未知的计算规则“{key}”") from None


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{4})(\d{2})(\d{2})$")
# An on-application programme may pay each application in a cycle of its own, keyed by the
# application's number ("DB2026-0007": prefix, year, sequence): the period is that year.
_APPLICATION = re.compile(r"^([A-Z]{2})(\d{4})-(\d{4,8})$")


def period_span(period_type: str, key: str) -> PeriodSpan:
    """Parse a period key for a programme's period type: "2026", "2026-Q3", "2026-11"; a once or
    on-application programme accepts any of them."""
    key = (key or "").strip()
    if (m := re.match(r"^(\d{4})", key)) and not 1900 <= int(m.group(1)) <= 2100:
        raise ValidationError(f"期间“{key}”的年份 {m.group(1)} 无效：应在 1900 年至 2100 年之间")
    if m := _YEAR.match(key):
        if period_type in ("monthly", "quarterly"):
            raise ValidationError("期间格式错误：按月项目填写如 2026-11，按季度项目填写如 2026-Q3")
        y = int(m.group(1))
        return PeriodSpan(key, date(y, 1, 1), date(y, 12, 31))
    if m := _QUARTER.match(key):
        if period_type in ("monthly", "yearly"):
            raise ValidationError("期间格式错误：此项目不按季度发放")
        y, q = int(m.group(1)), int(m.group(2))
        last_month = q * 3
        return PeriodSpan(key, date(y, last_month - 2, 1), date(y, last_month, calendar.monthrange(y, last_month)[1]))
    if m := _MONTH.match(key):
        if period_type in ("quarterly", "yearly"):
            raise ValidationError("期间格式错误：此项目不按月发放")
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValidationError(f"期间格式错误：月份“{mo}”无效")
        return PeriodSpan(key, date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]))
    if period_type == "application" and (m := _APPLICATION.match(key)):
        y = int(m.group(2))
        if y < 1:
            raise ValidationError(f"期间格式错误：“{key}”的年份无效")
        return PeriodSpan(key, date(y, 1, 1), date(y, 12, 31))
    raise ValidationError(f"期间格式错误：“{key}”，应填写如 2026、2026-Q3 或 2026-11")


def span_of(cycle: Any) -> PeriodSpan:
    """A cycle's period as the plug-ins see it (its key and dates, stored on the cycle row)."""
    return PeriodSpan(cycle.period_key, cycle.period_start, cycle.period_end)
