"""The working-day calendar: deadlines counted in working days, answered from ``CalendarDay``.

The table is seeded from the ``chinesecalendar`` package (statutory holidays and 调休 working
weekends) and extended by administrators when the State Council publishes a year the package does
not have yet.

A year nobody has entered yet never stops the office: the first time a computation needs it, the
year is written **provisionally** (source ``provisional``, shown as 暂定): weekends rest, and so do
the statutory holidays whose dates are known in advance (:func:`statutory_holidays` — 元旦, 春节,
清明节, 劳动节, 端午节, 中秋节, 国庆节 from the lunar calendar and the solar terms of
``lunar_python``, with the law's 补假 for a holiday that falls on a weekend), but no 调休 is guessed.
Every deadline computed across such a day is marked provisional (:func:`working_deadline`), and
when an administrator enters the year (or the package brings it), the registered listeners
(:func:`register_calendar_listener`; appeals registers one) recompute the open provisional
deadlines inside the same transaction. Plain weekends alone are never used: that would silently move
every statutory deadline around the Spring Festival.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from lunar_python import Lunar

from core.models import CalendarDay

__all__ = [
    "HOLIDAY_NAMES_ZH",
    "MAKE_UP_WORKDAY_NAME",
    "PROVISIONAL_RULES_FROM",
    "CalendarChange",
    "CalendarYearMissing",
    "WorkingDeadline",
    "add_working_days",
    "calendar_seed",
    "calendar_warning",
    "calendar_year_enter",
    "covered_years",
    "enter_year_manually",
    "is_workday",
    "missing_calendar_years",
    "missing_years",
    "package_years",
    "provisional_years",
    "register_calendar_listener",
    "seed_calendar_from_package",
    "statutory_holidays",
    "working_days_between",
    "working_deadline",
    "year_is_covered",
    "years_to_cover",
]

HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
MAKE_UP_WORKDAY_NAME = "调休上班"
# CalendarDay.Source values, usable with historical models
_PACKAGE, _MANUAL, _PROVISIONAL = "package", "manual", "provisional"
_FIRST_YEAR, _LAST_YEAR = 1900, 2200
# The rules of 《全国年节及纪念日放假办法》 as revised in 2024, in force from 1 January 2025: the
# provisional calendar follows them, so it is offered for 2025 and later only (earlier years come
# from the package, which covers them all).
PROVISIONAL_RULES_FROM = 2025
_PROVISIONAL_LAST_YEAR = 2099  # lunar_python's solar terms are reliable through the 21st century


class CalendarYearMissing(Exception):
    """The calendar table lacks (part of) a year that a computation needs."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(calendar_missing_message([year]))


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _as_date(value: date | datetime) -> date:
    """A datetime counts as the local (Asia/Shanghai) date on which it falls."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value


# --- seeding from the package -----------------------------------------------------------------


def _package_supports(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def package_years() -> list[int]:
    """The years the installed ``chinesecalendar`` covers (found by asking it; 2004–2026 for 1.11.0)."""
    return [y for y in range(1990, timezone.localdate().year + 6) if _package_supports(y)]


def _package_day(model: type[models.Model], d: date) -> models.Model:
    workday = chinese_calendar.is_workday(d)
    _, holiday = chinese_calendar.get_holiday_detail(d)
    if workday:
        name = MAKE_UP_WORKDAY_NAME if d.weekday() >= 5 else ""
    else:
        name = HOLIDAY_NAMES_ZH.get(holiday, holiday) if holiday else ""
    return model(date=d, is_workday=workday, name=name, source=_PACKAGE)


def seed_calendar_from_package(
    years: Iterable[int] | None = None, *, model: type[models.Model] | None = None, actor: Any = None
) -> int:
    """Write every day of ``years`` (default: all the package covers) from ``chinesecalendar``.

    Rows entered by administrators (source ``manual``) are left alone; package rows are inserted
    or refreshed in bulk (one query, then about two a year), replacing provisional rows. Returns the
    number of rows written. A requested year the package does not cover raises ``CalendarYearMissing``.
    Open deadlines computed provisionally over a year the package now brings are recomputed by the
    registered listeners, in the same transaction.

    A data migration should pass its historical model: ``model=apps.get_model("core", "CalendarDay")``
    (no listener runs then).
    """
    return _seed(years, model=model, actor=actor)[0]


def _seed(
    years: Iterable[int] | None, *, model: type[models.Model] | None = None, actor: Any = None
) -> tuple[int, list[int], dict[str, int]]:
    day_model = CalendarDay if model is None else model
    wanted = sorted(set(package_years() if years is None else years))
    for year in wanted:
        if not _package_supports(year):
            raise CalendarYearMissing(year)
    if not wanted:
        return 0, [], {}

    def write() -> int:
        written = 0
        manual = set(
            day_model._default_manager.filter(
                date__range=(date(wanted[0], 1, 1), date(wanted[-1], 12, 31)), source=_MANUAL
            ).values_list("date", flat=True)
        )
        for year in wanted:
            first = date(year, 1, 1)
            rows = [
                _package_day(day_model, first + timedelta(days=i))
                for i in range(_days_in_year(year))
                if first + timedelta(days=i) not in manual
            ]
            day_model._default_manager.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["date"],
                update_fields=["is_workday", "name", "source"],
            )
            written += len(rows)
        return written

    if model is not None:
        with transaction.atomic():
            written = write()
        _forget_calendar_warning()
        return written, [], {}
    replaced = [y for y in provisional_years() if y in set(wanted)]
    written, totals = _replacing(replaced, actor, write)
    return written, replaced, totals


# --- provisional years --------------------------------------------------------------------------


def _solar_date(solar: Any) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _statutory_blocks(year: int) -> list[tuple[str, list[date]]]:
    """The statutory rest days of ``year`` by festival (放假办法 2024 revision, in force from 2025).

    元旦 1 day (1 January); 春节 4 days (除夕 and 正月初一至初三); 清明节 1 day (the day of the 清明
    solar term); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days
    (1–3 October). Lunar dates and the solar term come from ``lunar_python`` (pure Python).
    """
    new_year = _solar_date(Lunar.fromYmd(year, 1, 1).getSolar())
    qingming = _solar_date(Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"])
    if qingming.year != year:  # the lunar year's table always holds this April's 清明; checked all the same
        raise ValueError(f"清明 of {year} not found")
    blocks = [
        ("元旦", [date(year, 1, 1)]),
        ("春节", [new_year + timedelta(days=i) for i in range(-1, 3)]),
        ("清明节", [qingming]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_solar_date(Lunar.fromYmd(year, 5, 5).getSolar())]),
        ("中秋节", [_solar_date(Lunar.fromYmd(year, 8, 15).getSolar())]),
        ("国庆节", [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]),
    ]
    return sorted(blocks, key=lambda block: block[1][0])


def statutory_holidays(year: int) -> dict[date, str]:
    """Rest days of ``year`` that are known in advance, by name: the provisional calendar's holidays.

    The statutory days of :func:`_statutory_blocks`, plus the law's 补假 (article 6): a statutory day
    that falls on a Saturday or Sunday, or on another festival's day (中秋节 on 国庆节), is made up on
    the first following weekday that is not already a rest day, under the same festival's name. No
    调休 is guessed: the weekend working days and the bridging days of the State Council's yearly
    notice are unknown until it is published. Against 2025 and 2026, this gives exactly the official
    rest days with every 调休 swap undone (tested).
    """
    rest: dict[date, str] = {}
    for name, days in _statutory_blocks(year):
        owed = 0
        for d in days:
            if d in rest or d.weekday() >= 5:
                owed += 1
            rest.setdefault(d, name)
        cursor = days[-1]
        while owed:
            cursor += timedelta(days=1)
            if cursor.weekday() < 5 and cursor not in rest:
                rest[cursor] = name
                owed -= 1
    return dict(sorted(rest.items()))


def _provisional_rows(year: int) -> list[CalendarDay]:
    rest = statutory_holidays(year)
    first = date(year, 1, 1)
    rows = []
    for i in range(_days_in_year(year)):
        d = first + timedelta(days=i)
        rows.append(
            CalendarDay(date=d, is_workday=d.weekday() < 5 and d not in rest, name=rest.get(d, ""), source=_PROVISIONAL)
        )
    return rows


def provisional_year_fill(year: int) -> bool:
    """Write ``year`` provisionally when it has no row at all and the current rules apply to it.

    Returns whether the year is now there. A year with some rows (a hole in an entered year) or
    before :data:`PROVISIONAL_RULES_FROM` is left alone: those stay errors. Two requests filling the
    same year at once both succeed (conflicting rows are ignored).
    """
    if not PROVISIONAL_RULES_FROM <= year <= _PROVISIONAL_LAST_YEAR:
        return False
    if CalendarDay.objects.filter(date__year=year).exists():
        return False
    CalendarDay.objects.bulk_create(_provisional_rows(year), ignore_conflicts=True)
    _forget_calendar_warning()
    return True


def provisional_years() -> list[int]:
    """The years held provisionally (computed, not entered), in order (one query)."""
    rows = (
        CalendarDay.objects.filter(source=_PROVISIONAL)
        .annotate(year=ExtractYear("date"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )
    return list(rows)


# --- recomputing what was provisional ---------------------------------------------------------

# A listener is called as ``listener(years=[...], actor=...)`` before the days of ``years`` are
# replaced by entered (or package) days, inside the transaction. It reads what it needs under the
# old (provisional) calendar and returns ``None`` or a callable run after the write, which
# recomputes and returns counts by name (e.g. ``{"deadlines_recomputed": 3, "deadlines_moved": 1}``).
CalendarListener = Callable[..., Callable[[], dict[str, int]] | None]
_LISTENERS: list[CalendarListener] = []


def register_calendar_listener(listener: CalendarListener) -> None:
    """Register (once) a domain's recomputation of what it computed over provisional days."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _replacing(years: list[int], actor: Any, write: Callable[[], int]) -> tuple[int, dict[str, int]]:
    totals: dict[str, int] = {}
    with transaction.atomic():
        finishers = [f for f in (listener(years=years, actor=actor) for listener in _LISTENERS) if f] if years else []
        written = write()
        for finish in finishers:
            for key, value in finish().items():
                totals[key] = totals.get(key, 0) + value
    _forget_calendar_warning()
    return written, totals


# --- coverage ---------------------------------------------------------------------------------

# A year counts as covered only when every day of it was entered (package or administrator):
# provisional rows keep the office running but do not cover a year.
_ENTERED = ~Q(source=_PROVISIONAL)
NEXT_YEAR_NOTICE_DAYS = 60  # the banner asks for next year from 60 days before it begins


def _row_counts(first_year: int, last_year: int) -> dict[int, int]:
    rows = (
        CalendarDay.objects.filter(_ENTERED, date__range=(date(first_year, 1, 1), date(last_year, 12, 31)))
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("date"))
        .order_by()
    )
    return {row["year"]: row["n"] for row in rows}


def year_is_covered(year: int) -> bool:
    """True when every day of ``year`` is in the calendar table as entered, not provisional (one query)."""
    return CalendarDay.objects.filter(_ENTERED, date__year=year).count() == _days_in_year(year)


def covered_years() -> list[int]:
    """The years whose every day is entered (not provisional), in order (one query)."""
    rows = (
        CalendarDay.objects.filter(_ENTERED)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("date"))
        .order_by("year")
    )
    return [row["year"] for row in rows if row["n"] == _days_in_year(row["year"])]


def missing_years(years: Iterable[int]) -> list[int]:
    """Which of ``years`` are not fully entered: absent, holed or provisional (one query)."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    counts = _row_counts(wanted[0], wanted[-1])
    return [y for y in wanted if counts.get(y, 0) != _days_in_year(y)]


def years_to_cover(today: date) -> list[int]:
    """The years the calendar should hold on ``today``: this year; within 60 days of the next, it too."""
    if today >= date(today.year + 1, 1, 1) - timedelta(days=NEXT_YEAR_NOTICE_DAYS):
        return [today.year, today.year + 1]
    return [today.year]


def missing_calendar_years(today: date | None = None) -> list[int]:
    """Which of :func:`years_to_cover` are not entered yet (one query)."""
    return missing_years(years_to_cover(timezone.localdate() if today is None else today))


def calendar_missing_message(years: Iterable[int]) -> str:
    """The refusal for a year that cannot even be computed provisionally (before 2025, or a hole)."""
    listed = "、".join(str(y) for y in years)
    return f"工作日历缺少 {listed} 年的数据，请管理员在“工作日历”中录入该年节假日安排"


def calendar_pending_message(years: Iterable[int]) -> str:
    """The banner for calendar administrators: which years to enter, and what happens meanwhile."""
    listed = "、".join(str(y) for y in years)
    return (
        f"工作日历尚未录入 {listed} 年的节假日安排：涉及该年的期限暂按法定节日推算（不含调休），标为“暂定”。"
        "请在国务院办公厅发布放假通知后，在“工作日历”中录入，暂定期限将自动重算。"
    )


def calendar_warning(today: date | None = None) -> str | None:
    """Banner text while this year, or (within 60 days of it) next year, is not entered.

    ``None`` when all is well. One query. Shown to calendar administrators only (others see 暂定
    beside each deadline computed provisionally).
    """
    years = missing_calendar_years(today)
    return calendar_pending_message(years) if years else None


_WARNING_CACHE_KEY = "gonghui:calendar_warning"


def calendar_warning_cached() -> str | None:
    """:func:`calendar_warning` for every page: the calendar changes a few times a year, so the answer
    is kept for ten minutes and dropped whenever the calendar is written."""
    from django.core.cache import cache

    value = cache.get(_WARNING_CACHE_KEY)
    if value is None:
        value = calendar_warning() or ""
        cache.set(_WARNING_CACHE_KEY, value, 600)
    return value or None


def _forget_calendar_warning() -> None:
    from django.core.cache import cache

    cache.delete(_WARNING_CACHE_KEY)


# --- questions about days ---------------------------------------------------------------------


class WorkingDeadline(NamedTuple):
    """A deadline and whether any day counted to reach it was provisional (then shown as 暂定)."""

    due: date
    provisional: bool


def _fill_or_raise(day: date, filled: set[int]) -> None:
    """``day`` is missing: write its year provisionally, or raise when that cannot be done."""
    if day.year in filled or not provisional_year_fill(day.year):
        raise CalendarYearMissing(day.year)
    filled.add(day.year)


def is_workday(d: date | datetime) -> bool:
    """Whether ``d`` is a working day (one query; a year not entered is first written provisionally)."""
    day = _as_date(d)
    filled: set[int] = set()
    while True:
        value = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
        if value is not None:
            return value
        _fill_or_raise(day, filled)


def working_deadline(start: date | datetime, n: int) -> WorkingDeadline:
    """The date ``n`` working days after ``start`` (``start`` itself is not counted), and whether a
    provisional day was counted on the way.

    A request registered on the eve of the National Day break with a one-working-day limit is due
    on the first working day after the break. ``n == 0`` returns the start date. Reads the table in
    windows of ``3n + 30`` days: one query for any real deadline. A year that is not in the table is
    written provisionally the first time it is needed (:func:`provisional_year_fill`); a year that
    cannot be (a hole in an entered year, a year before 2025) raises ``CalendarYearMissing``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = _as_date(start)
    if n == 0:
        return WorkingDeadline(day, False)
    remaining = n
    provisional = False
    filled: set[int] = set()
    cursor = day  # last day examined
    while True:
        window_end = cursor + timedelta(days=remaining * 3 + 30)
        rows = CalendarDay.objects.filter(date__gt=cursor, date__lte=window_end).values_list(
            "date", "is_workday", "source"
        )
        expected = cursor + timedelta(days=1)
        gap: date | None = None
        for row_date, workday, source in rows.order_by("date"):
            if row_date != expected:
                gap = expected
                break
            provisional = provisional or source == _PROVISIONAL
            if workday:
                remaining -= 1
                if remaining == 0:
                    return WorkingDeadline(row_date, provisional)
            expected += timedelta(days=1)
        else:
            if expected <= window_end:
                gap = expected
        if gap is not None:
            _fill_or_raise(gap, filled)
            cursor = gap - timedelta(days=1)
            continue
        cursor = window_end


def add_working_days(start: date | datetime, n: int) -> date:
    """The date ``n`` working days after ``start``; see :func:`working_deadline`."""
    return working_deadline(start, n).due


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    ``working_days_between(x, add_working_days(x, n)) == n``. One query (more if a day is missing:
    a year not entered is written provisionally, as for :func:`working_deadline`).
    """
    start, end = _as_date(a), _as_date(b)
    if end < start:
        return -working_days_between(end, start)
    if end == start:
        return 0
    filled: set[int] = set()
    while True:
        totals = CalendarDay.objects.filter(date__gt=start, date__lte=end).aggregate(
            days=Count("date"), workdays=Count("date", filter=Q(is_workday=True))
        )
        if totals["days"] == (end - start).days:
            return totals["workdays"]
        present = set(CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", flat=True))
        day = start + timedelta(days=1)
        while day in present:
            day += timedelta(days=1)
        _fill_or_raise(day, filled)


# --- administrators ---------------------------------------------------------------------------


def enter_year_manually(
    year: int,
    holidays: list[tuple[date, date, str]],
    make_up_workdays: list[date],
    *,
    actor: Any = None,
) -> dict[str, int]:
    """Write the whole of ``year`` from the State Council notice, with source ``manual``.

    Weekends rest and weekdays work, except: each ``(first, last, name)`` range rests under its
    name (a later range overrides an earlier one where they overlap, e.g. 中秋节 inside 国庆节),
    and each make-up day (a Saturday or Sunday) works as 调休上班. All rows of the year are replaced
    in one transaction; nothing is written if anything is wrong. Open deadlines computed
    provisionally over the year are recomputed in the same transaction by the registered listeners;
    returns their counts. :func:`calendar_year_enter` is the audited door for administrators.
    """
    errors: list[ValidationError] = []
    if not isinstance(year, int) or not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ValidationError("年份无效：%(year)s", code="year", params={"year": year})
    first, last = date(year, 1, 1), date(year, 12, 31)
    names: dict[date, str] = {}
    for number, (start, end, name) in enumerate(holidays, start=1):
        label = (name or "").strip()
        if not label:
            errors.append(ValidationError(f"第{number}个假期缺少名称", code="holiday_name"))
        if start > end:
            errors.append(
                ValidationError(f"第{number}个假期“{label}”的开始日期 {start} 晚于结束日期 {end}", code="range")
            )
            continue
        if start < first or end > last:
            errors.append(
                ValidationError(f"第{number}个假期“{label}”（{start} 至 {end}）不在 {year} 年之内", code="outside_year")
            )
            continue
        day = start
        while day <= end:
            names[day] = label
            day += timedelta(days=1)
    make_up: set[date] = set()
    for day in make_up_workdays:
        if not first <= day <= last:
            errors.append(ValidationError(f"调休上班日 {day} 不在 {year} 年之内", code="outside_year"))
        elif day in names:
            errors.append(ValidationError(f"调休上班日 {day} 落在假期“{names[day]}”之内", code="make_up_in_holiday"))
        elif day.weekday() < 5:
            errors.append(ValidationError(f"调休上班日 {day} 不是周六或周日，本来就是工作日", code="make_up_weekday"))
        else:
            make_up.add(day)
    if errors:
        raise ValidationError(errors)

    rows = []
    for i in range(_days_in_year(year)):
        day = first + timedelta(days=i)
        if day in names:
            workday, name = False, names[day]
        elif day in make_up:
            workday, name = True, MAKE_UP_WORKDAY_NAME
        else:
            workday, name = day.weekday() < 5, ""
        rows.append(CalendarDay(date=day, is_workday=workday, name=name, source=_MANUAL))

    def write() -> int:
        CalendarDay.objects.filter(date__range=(first, last)).delete()
        CalendarDay.objects.bulk_create(rows)
        return len(rows)

    return _replacing([year], actor, write)[1]


@dataclass
class CalendarChange:
    """What an administrator's calendar write did: the years, the days, the deadlines recomputed."""

    years: list[int]
    days_written: int
    recomputed: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text = f"{'、'.join(str(y) for y in self.years) or '无'} 年，写入 {self.days_written} 天"
        done = self.recomputed.get("deadlines_recomputed", 0)
        if done:
            text += f"；重算暂定期限 {done} 件，其中 {self.recomputed.get('deadlines_moved', 0)} 件日期变动"
        return text


def calendar_year_enter(
    *,
    actor: Any,
    year: int,
    holidays: list[tuple[date, date, str]],
    make_up_workdays: list[date],
    request: Any = None,
) -> CalendarChange:
    """An administrator enters a year from the State Council notice: written, recomputed, audited."""
    from core.audit import audit_log
    from core.models import AuditEvent

    with transaction.atomic():
        was_provisional = year in provisional_years()
        recomputed = enter_year_manually(year, holidays, make_up_workdays, actor=actor)
        change = CalendarChange(years=[year], days_written=_days_in_year(year), recomputed=recomputed)
        audit_log(
            AuditEvent.Kind.CALENDAR_CHANGED,
            user=actor,
            request=request,
            summary=f"录入工作日历：{change.summary}",
            detail={
                "year": year,
                "source": _MANUAL,
                "was_provisional": was_provisional,
                "holidays": [[str(a), str(b), name] for a, b, name in holidays],
                "make_up_workdays": [str(d) for d in make_up_workdays],
                **recomputed,
            },
        )
    return change


def calendar_seed(*, actor: Any = None, years: Iterable[int] | None = None, request: Any = None) -> CalendarChange:
    """Refresh the calendar from the built-in holiday data (the package): written, recomputed, audited."""
    from core.audit import audit_log
    from core.models import AuditEvent

    with transaction.atomic():
        written, replaced, recomputed = _seed(years, actor=actor)
        change = CalendarChange(years=replaced, days_written=written, recomputed=recomputed)
        audit_log(
            AuditEvent.Kind.CALENDAR_CHANGED,
            user=actor,
            request=request,
            summary=f"从内置节假日数据更新工作日历：写入 {written} 天"
            + (f"；取代暂定年份 {change.summary}" if replaced else ""),
            detail={"source": _PACKAGE, "days": written, "replaced_provisional": replaced, **recomputed},
        )
    return change
