"""The working-day calendar: deadlines counted in working days, answered from ``CalendarDay``.

The table is seeded from the ``chinesecalendar`` package (statutory holidays and 调休 working
weekends) and extended by administrators when the State Council publishes a year the package does
not have yet. A day missing from the table is an error (``CalendarYearMissing``), never a guess:
counting plain weekends would silently move every statutory deadline around the Spring Festival.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from core.models import CalendarDay

__all__ = [
    "HOLIDAY_NAMES_ZH",
    "MAKE_UP_WORKDAY_NAME",
    "CalendarYearMissing",
    "add_working_days",
    "calendar_warning",
    "covered_years",
    "enter_year_manually",
    "is_workday",
    "missing_calendar_years",
    "missing_years",
    "package_years",
    "seed_calendar_from_package",
    "working_days_between",
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
_PACKAGE, _MANUAL = "package", "manual"  # CalendarDay.Source values, usable with historical models
_FIRST_YEAR, _LAST_YEAR = 1900, 2200


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


def seed_calendar_from_package(years: Iterable[int] | None = None, *, model: type[models.Model] | None = None) -> int:
    """Write every day of ``years`` (default: all the package covers) from ``chinesecalendar``.

    Rows entered by administrators (source ``manual``) are left alone; package rows are inserted
    or refreshed in bulk (one query, then about two a year). Returns the number of rows written. A
    requested year the package does not cover raises ``CalendarYearMissing``.

    A data migration should pass its historical model: ``model=apps.get_model("core", "CalendarDay")``.
    """
    day_model = CalendarDay if model is None else model
    wanted = sorted(set(package_years() if years is None else years))
    for year in wanted:
        if not _package_supports(year):
            raise CalendarYearMissing(year)
    if not wanted:
        return 0
    written = 0
    with transaction.atomic():
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
    _forget_calendar_warning()
    return written


# --- coverage ---------------------------------------------------------------------------------


def _row_counts(first_year: int, last_year: int) -> dict[int, int]:
    rows = (
        CalendarDay.objects.filter(date__range=(date(first_year, 1, 1), date(last_year, 12, 31)))
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("date"))
        .order_by()
    )
    return {row["year"]: row["n"] for row in rows}


def year_is_covered(year: int) -> bool:
    """True when every day of ``year`` is in the calendar table (one query)."""
    return CalendarDay.objects.filter(date__year=year).count() == _days_in_year(year)


def covered_years() -> list[int]:
    """The years whose every day is in the table, in order (one query)."""
    rows = (
        CalendarDay.objects.annotate(year=ExtractYear("date")).values("year").annotate(n=Count("date")).order_by("year")
    )
    return [row["year"] for row in rows if row["n"] == _days_in_year(row["year"])]


def missing_years(years: Iterable[int]) -> list[int]:
    """Which of ``years`` are not fully in the table (one query)."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    counts = _row_counts(wanted[0], wanted[-1])
    return [y for y in wanted if counts.get(y, 0) != _days_in_year(y)]


def years_to_cover(today: date) -> list[int]:
    """The years the calendar must hold on ``today``: this year; from 1 December on, next year too."""
    if today >= date(today.year, 12, 1):
        return [today.year, today.year + 1]
    return [today.year]


def missing_calendar_years(today: date | None = None) -> list[int]:
    """Which of :func:`years_to_cover` are missing (one query)."""
    return missing_years(years_to_cover(timezone.localdate() if today is None else today))


def calendar_missing_message(years: Iterable[int]) -> str:
    listed = "、".join(str(y) for y in years)
    return f"工作日历缺少 {listed} 年的数据，请管理员在“工作日历”中录入该年节假日安排"


def calendar_warning(today: date | None = None) -> str | None:
    """Banner text for every page while this year (or, from 1 December, next year) is missing.

    ``None`` when all is well. One query.
    """
    years = missing_calendar_years(today)
    return calendar_missing_message(years) if years else None


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


def is_workday(d: date | datetime) -> bool:
    """Whether ``d`` is a working day (one query)."""
    day = _as_date(d)
    value = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    if value is None:
        raise CalendarYearMissing(day.year)
    return value


def add_working_days(start: date | datetime, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself is not counted).

    A request registered on the eve of the National Day break with a one-working-day limit is due
    on the first working day after the break. ``n == 0`` returns the start date. Reads the table in
    windows of ``3n + 30`` days: one query for any real deadline.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = _as_date(start)
    if n == 0:
        return day
    remaining = n
    cursor = day  # last day examined
    while True:
        window_end = cursor + timedelta(days=remaining * 3 + 30)
        rows = CalendarDay.objects.filter(date__gt=cursor, date__lte=window_end).values_list("date", "is_workday")
        expected = cursor + timedelta(days=1)
        for row_date, workday in rows.order_by("date"):
            if row_date != expected:
                raise CalendarYearMissing(expected.year)
            if workday:
                remaining -= 1
                if remaining == 0:
                    return row_date
            expected += timedelta(days=1)
        if expected <= window_end:
            raise CalendarYearMissing(expected.year)
        cursor = window_end


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    ``working_days_between(x, add_working_days(x, n)) == n``. One query (two if a day is missing).
    """
    start, end = _as_date(a), _as_date(b)
    if end < start:
        return -working_days_between(end, start)
    if end == start:
        return 0
    totals = CalendarDay.objects.filter(date__gt=start, date__lte=end).aggregate(
        days=Count("date"), workdays=Count("date", filter=Q(is_workday=True))
    )
    if totals["days"] != (end - start).days:
        present = set(CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", flat=True))
        day = start + timedelta(days=1)
        while day in present:
            day += timedelta(days=1)
        raise CalendarYearMissing(day.year)
    return totals["workdays"]


# --- administrators ---------------------------------------------------------------------------


def enter_year_manually(
    year: int,
    holidays: list[tuple[date, date, str]],
    make_up_workdays: list[date],
) -> None:
    """Write the whole of ``year`` from the State Council notice, with source ``manual``.

    Weekends rest and weekdays work, except: each ``(first, last, name)`` range rests under its
    name (a later range overrides an earlier one where they overlap, e.g. 中秋节 inside 国庆节),
    and each make-up day (a Saturday or Sunday) works as 调休上班. All rows of the year are replaced
    in one transaction; nothing is written if anything is wrong.
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
    with transaction.atomic():
        CalendarDay.objects.filter(date__range=(first, last)).delete()
        CalendarDay.objects.bulk_create(rows)
    _forget_calendar_warning()
