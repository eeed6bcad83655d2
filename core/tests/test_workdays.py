"""Working-day calendar: deadlines across statutory holidays, 调休 working weekends and missing years.

The 2025 and 2026 arrangements below are those of chinesecalendar 1.11.0 (the State Council notices):
- National Day 2025: Oct 1–8 rest (Oct 6 is 中秋节); Sun Sep 28 and Sat Oct 11 are working days.
- Spring Festival 2026: Sun Feb 15 – Mon Feb 23 rest; Sat Feb 14 and Sat Feb 28 are working days.
- National Day 2026: Oct 1–7 rest; Sat Oct 10 is a working day.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import registry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError

from core import checks as core_checks
from core.checks import check_calendar_coverage
from core.models import CalendarDay
from core.workdays import (
    CalendarYearMissing,
    add_working_days,
    calendar_warning,
    covered_years,
    enter_year_manually,
    is_workday,
    package_years,
    provisional_years,
    seed_calendar_from_package,
    working_days_between,
    working_deadline,
    year_is_covered,
    years_to_cover,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def empty_calendar(db) -> None:
    """The migrations seed every year the package has; most tests want to choose the years."""
    CalendarDay.objects.all().delete()


@pytest.fixture
def calendar_2025_2026(empty_calendar) -> None:
    assert seed_calendar_from_package([2025, 2026]) == 365 + 365


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def row(iso: str) -> CalendarDay:
    return CalendarDay.objects.get(date=day(iso))


# --- what the package gives -------------------------------------------------------------------


def test_package_years_found_by_probing() -> None:
    years = package_years()
    assert years[0] == 2004
    assert years == list(range(years[0], years[-1] + 1))
    assert years[-1] >= 2026


def test_seeded_names_and_days(calendar_2025_2026) -> None:
    assert (row("2025-10-01").is_workday, row("2025-10-01").name) == (False, "国庆节")
    assert (row("2025-10-06").is_workday, row("2025-10-06").name) == (False, "中秋节")
    assert (row("2025-09-28").is_workday, row("2025-09-28").name) == (True, "调休上班")
    assert (row("2025-10-11").is_workday, row("2025-10-11").name) == (True, "调休上班")
    assert (row("2025-09-27").is_workday, row("2025-09-27").name) == (False, "")  # ordinary Saturday
    assert (row("2025-09-30").is_workday, row("2025-09-30").name) == (True, "")
    assert (row("2026-02-16").is_workday, row("2026-02-16").name) == (False, "春节")
    assert (row("2026-02-14").is_workday, row("2026-02-14").name) == (True, "调休上班")
    assert (row("2026-01-01").is_workday, row("2026-01-01").name) == (False, "元旦")
    assert row("2026-02-16").source == CalendarDay.Source.PACKAGE
    assert year_is_covered(2025) and year_is_covered(2026)
    assert not year_is_covered(2024)
    assert covered_years() == [2025, 2026]


def test_seed_everything_the_package_has(empty_calendar) -> None:
    written = seed_calendar_from_package()
    years = package_years()
    assert written == sum(366 if calendar.isleap(y) else 365 for y in years)
    assert covered_years() == years
    # the 2015 one-off holiday for the 70th anniversary of the victory
    assert row("2015-09-03").name == "抗战胜利纪念日"


def test_seeding_is_idempotent_and_keeps_manual_rows(calendar_2025_2026, django_assert_max_num_queries) -> None:
    CalendarDay.objects.filter(date=day("2026-05-06")).update(
        is_workday=False, name="区总工会调整", source=CalendarDay.Source.MANUAL
    )
    CalendarDay.objects.filter(date=day("2026-05-07")).delete()
    with django_assert_max_num_queries(10):
        written = seed_calendar_from_package([2026])
    assert written == 364
    kept = row("2026-05-06")
    assert (kept.is_workday, kept.name, kept.source) == (False, "区总工会调整", CalendarDay.Source.MANUAL)
    assert row("2026-05-07").is_workday is True  # restored
    assert CalendarDay.objects.count() == 730


def test_seeding_a_year_the_package_lacks_fails(empty_calendar) -> None:
    with pytest.raises(CalendarYearMissing) as exc_info:
        seed_calendar_from_package([2026, 2027])
    assert exc_info.value.year == 2027
    assert CalendarDay.objects.count() == 0  # checked before anything is written


def test_seeding_with_a_historical_model(empty_calendar) -> None:
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("core", "0001_initial"))
    historical = state.apps.get_model("core", "CalendarDay")
    assert historical is not global_apps.get_model("core", "CalendarDay")
    assert seed_calendar_from_package([2026], model=historical) == 365
    assert row("2026-02-14").name == "调休上班"


# --- deadlines --------------------------------------------------------------------------------


def test_is_workday(calendar_2025_2026) -> None:
    assert is_workday(day("2025-09-28")) is True  # 调休 Sunday
    assert is_workday(day("2025-10-08")) is False
    assert is_workday(day("2025-10-11")) is True  # 调休 Saturday
    assert is_workday(day("2025-10-12")) is False


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2025
        ("2025-09-26", 1, "2025-09-28"),  # Friday + 1 → the working Sunday
        ("2025-09-27", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),  # registered on the eve of the break
        ("2025-10-01", 1, "2025-10-09"),  # registered during the break
        ("2025-09-30", 3, "2025-10-11"),  # 9, 10, then the working Saturday
        ("2025-09-30", 4, "2025-10-13"),
        ("2025-09-26", 15, "2025-10-23"),
        # National Day 2026 (30 September 2026 is a Wednesday)
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-09", 1, "2026-10-10"),  # working Saturday
        # Spring Festival 2026
        ("2026-02-13", 1, "2026-02-14"),  # Friday + 1 → the working Saturday before the break
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-13", 5, "2026-02-27"),  # 14, 24, 25, 26, 27
        ("2026-02-13", 6, "2026-02-28"),  # the working Saturday after the break
        ("2026-02-13", 7, "2026-03-02"),
        ("2026-02-10", 20, "2026-03-16"),
        # an ordinary week, and n = 0
        ("2025-06-06", 1, "2025-06-09"),
        ("2025-06-07", 0, "2025-06-07"),
        # across New Year 2026 (1 January rest; 4 January 2026 is a working Sunday)
        ("2025-12-31", 1, "2026-01-04"),
    ],
)
def test_add_working_days(calendar_2025_2026, start: str, n: int, due: str) -> None:
    assert add_working_days(day(start), n) == day(due)
    if n:
        assert working_days_between(day(start), day(due)) == n
        assert working_days_between(day(start), day(due) - timedelta(days=1)) == n - 1


def test_new_year_2026_arrangement_is_what_the_package_says(calendar_2025_2026) -> None:
    rest = [d for d in CalendarDay.objects.filter(date__range=(day("2026-01-01"), day("2026-01-05")))]
    assert [(r.date.day, r.is_workday, r.name) for r in rest] == [
        (1, False, "元旦"),
        (2, False, "元旦"),
        (3, False, "元旦"),
        (4, True, "调休上班"),
        (5, True, ""),
    ]


def test_datetimes_count_from_their_shanghai_date(calendar_2025_2026) -> None:
    late_evening = datetime(2025, 9, 30, 23, 30, tzinfo=SHANGHAI)
    assert add_working_days(late_evening, 1) == day("2025-10-09")
    # 16:30 UTC on 30 September is 00:30 on 1 October in Beijing: still due 9 October
    assert add_working_days(datetime(2025, 9, 30, 16, 30, tzinfo=UTC), 1) == day("2025-10-09")
    # Friday 26 September 17:00 UTC is already Saturday 27 September 01:00 in Beijing
    assert add_working_days(datetime(2025, 9, 26, 17, 0, tzinfo=UTC), 2) == day("2025-09-29")
    assert add_working_days(datetime(2025, 9, 26, 9, 0), 1) == day("2025-09-28")  # naive: its own date


def test_working_days_between(calendar_2025_2026) -> None:
    assert working_days_between(day("2025-09-30"), day("2025-10-08")) == 0
    assert working_days_between(day("2025-09-30"), day("2025-10-09")) == 1
    assert working_days_between(day("2025-09-30"), day("2025-09-30")) == 0
    assert working_days_between(day("2025-10-09"), day("2025-09-30")) == -1
    assert working_days_between(day("2025-01-01"), day("2025-12-31")) == 248  # 1 January is a holiday anyway
    # the start day itself is not counted, so it need not be in the table
    assert working_days_between(day("2024-12-31"), day("2025-12-31")) == 248


def test_between_is_the_inverse_of_add(calendar_2025_2026) -> None:
    start = day("2025-01-01")
    for offset in range(0, 660, 3):  # up to late October 2026: 30 working days stay inside 2026
        for n in (1, 2, 5, 10, 15, 30):
            first = start + timedelta(days=offset)
            due = add_working_days(first, n)
            assert working_days_between(first, due) == n
            assert is_workday(due)


def test_bounded_queries(calendar_2025_2026, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        add_working_days(day("2025-09-30"), 30)
    with django_assert_num_queries(1):
        add_working_days(day("2025-01-01"), 200)
    with django_assert_num_queries(1):
        working_days_between(day("2025-01-01"), day("2026-12-31"))
    with django_assert_num_queries(1):
        is_workday(day("2025-10-01"))


# --- a year that is not there -----------------------------------------------------------------


def test_a_year_not_entered_is_computed_provisionally(calendar_2025_2026) -> None:
    """2027 is not in the table: the first computation that needs it writes it provisionally."""
    assert working_deadline(day("2026-12-28"), 3) == (day("2026-12-31"), False)  # no need for 2027
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    # 29, 30, 31 December, then 元旦 (Fri 1 January) and the weekend: 4 and 5 January
    assert working_deadline(day("2026-12-28"), 5) == (day("2027-01-05"), True)
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) == {"provisional"}
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert not year_is_covered(2027) and covered_years() == [2025, 2026]
    assert provisional_years() == [2027]
    assert is_workday(day("2027-01-04")) is True
    assert working_days_between(day("2026-12-01"), day("2027-01-10")) == 22 + 5  # 2–31 Dec, then 4–8 Jan
    # the counted range lies in 2026 only: not provisional, even though 2027 is now provisional
    assert working_deadline(day("2026-12-01"), 2) == (day("2026-12-03"), False)
    # is_workday and working_days_between fill a missing year too
    assert is_workday(day("2028-01-03")) is False  # 元旦 2028 is a Saturday: made up on Monday 3 January
    assert provisional_years() == [2027, 2028]


def test_a_year_before_the_current_rules_is_never_guessed(calendar_2025_2026) -> None:
    message = "工作日历缺少 2024 年的数据，请管理员在“工作日历”中录入该年节假日安排"
    with pytest.raises(CalendarYearMissing) as exc_info:
        add_working_days(day("2024-12-20"), 1)
    assert exc_info.value.year == 2024
    assert str(exc_info.value) == message
    with pytest.raises(CalendarYearMissing, match="2024"):
        is_workday(day("2024-06-03"))
    assert not CalendarDay.objects.filter(date__year=2024).exists()


def test_a_hole_inside_a_year_is_also_missing(calendar_2025_2026) -> None:
    CalendarDay.objects.filter(date=day("2025-07-15")).delete()
    assert not year_is_covered(2025)
    assert covered_years() == [2026]
    with pytest.raises(CalendarYearMissing, match="2025"):
        add_working_days(day("2025-07-10"), 10)
    with pytest.raises(CalendarYearMissing, match="2025"):
        working_days_between(day("2025-07-01"), day("2025-07-31"))
    assert add_working_days(day("2025-07-10"), 2) == day("2025-07-14")


# --- administrators enter a year --------------------------------------------------------------

# A made-up arrangement for 2027 (not the official one): 元旦 Fri 1 – Sun 3 January, 春节 Sat 6 –
# Sun 14 February with Saturday 20 February worked, 中秋节 inside 国庆节.
HOLIDAYS_2027 = [
    (day("2027-01-01"), day("2027-01-03"), "元旦"),
    (day("2027-02-06"), day("2027-02-14"), "春节"),
    (day("2027-10-01"), day("2027-10-07"), "国庆节"),
    (day("2027-10-04"), day("2027-10-04"), "中秋节"),
]
MAKE_UP_2027 = [day("2027-02-20"), day("2027-09-26")]


def test_enter_year_manually(calendar_2025_2026, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(10):
        enter_year_manually(2027, HOLIDAYS_2027, MAKE_UP_2027)
    assert year_is_covered(2027)
    assert covered_years() == [2025, 2026, 2027]
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) == {"manual"}
    assert (row("2027-02-08").is_workday, row("2027-02-08").name) == (False, "春节")
    assert (row("2027-02-20").is_workday, row("2027-02-20").name) == (True, "调休上班")
    assert (row("2027-10-04").name, row("2027-10-05").name) == ("中秋节", "国庆节")
    assert (row("2027-03-06").is_workday, row("2027-03-08").is_workday) == (False, True)
    assert add_working_days(day("2026-12-31"), 1) == day("2027-01-04")
    assert add_working_days(day("2027-02-05"), 1) == day("2027-02-15")
    assert add_working_days(day("2027-02-19"), 1) == day("2027-02-20")
    # entering it again replaces it; the package never overwrites it
    enter_year_manually(2027, HOLIDAYS_2027[:1], [])
    assert row("2027-02-08").is_workday is True
    assert CalendarDay.objects.filter(date__year=2027).count() == 365


def test_manual_year_survives_reseeding(calendar_2025_2026) -> None:
    enter_year_manually(2026, [(day("2026-02-16"), day("2026-02-20"), "春节")], [])
    seed_calendar_from_package([2026])
    assert row("2026-02-23").is_workday is True  # the manual (shorter) arrangement stays
    assert row("2026-02-14").is_workday is False
    assert CalendarDay.objects.filter(date__year=2026, source="package").count() == 0


@pytest.mark.parametrize(
    ("holidays", "make_up", "fragment"),
    [
        ([(day("2026-12-31"), day("2027-01-02"), "元旦")], [], "不在 2027 年之内"),
        ([(day("2027-01-03"), day("2027-01-01"), "元旦")], [], "晚于结束日期"),
        ([(day("2027-01-01"), day("2027-01-03"), " ")], [], "缺少名称"),
        ([(day("2027-02-06"), day("2027-02-14"), "春节")], [day("2027-02-13")], "落在假期“春节”之内"),
        ([], [day("2027-02-17")], "不是周六或周日"),
        ([], [day("2028-01-01")], "不在 2027 年之内"),
    ],
)
def test_enter_year_manually_validates(calendar_2025_2026, holidays, make_up, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        enter_year_manually(2027, holidays, make_up)
    assert any(fragment in m for m in exc_info.value.messages), exc_info.value.messages
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_enter_year_manually_reports_every_error_at_once(empty_calendar) -> None:
    with pytest.raises(ValidationError) as exc_info:
        enter_year_manually(2027, [(day("2026-12-31"), day("2027-01-02"), "元旦")], [day("2027-02-17")])
    assert len(exc_info.value.messages) == 2


# --- system check and banner ------------------------------------------------------------------


def test_check_is_registered_with_the_gonghui_tag() -> None:
    assert check_calendar_coverage in registry.registry.registered_checks
    assert "gonghui" in check_calendar_coverage.tags


def test_check_silent_when_covered(calendar_2025_2026) -> None:
    assert check_calendar_coverage(None, today=day("2026-06-01")) == []
    # next year is asked for from 60 days before it begins: 2 November 2026 for 2027
    assert check_calendar_coverage(None, today=day("2026-11-01")) == []
    assert calendar_warning(today=day("2026-11-01")) is None
    assert calendar_warning(today=day("2026-11-02")) is not None


def test_check_warns_when_this_year_is_missing(calendar_2025_2026) -> None:
    CalendarDay.objects.filter(date__year=2026).delete()
    messages = check_calendar_coverage(None, today=day("2026-06-01"))
    assert [m.id for m in messages] == ["gonghui.W001"]
    assert "2026" in messages[0].msg
    assert "seed_calendar" in messages[0].hint
    assert calendar_warning(today=day("2026-06-01")) == (
        "工作日历尚未录入 2026 年的节假日安排：涉及该年的期限暂按法定节日推算（不含调休），标为“暂定”。"
        "请在国务院办公厅发布放假通知后，在“工作日历”中录入，暂定期限将自动重算。"
    )


def test_check_warns_about_next_year_from_december(calendar_2025_2026, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        messages = check_calendar_coverage(None, today=day("2026-12-01"))
    assert [m.id for m in messages] == ["gonghui.W001"]
    assert "2027" in messages[0].msg
    assert "2026" not in messages[0].msg
    assert calendar_warning(today=day("2025-12-15")) is None  # 2026 is there
    enter_year_manually(2027, HOLIDAYS_2027, MAKE_UP_2027)
    assert check_calendar_coverage(None, today=day("2026-12-01")) == []


def test_check_warns_for_both_years(empty_calendar) -> None:
    text = calendar_warning(today=day("2026-12-24"))
    assert text is not None and "2026、2027" in text


def test_check_does_not_crash_before_migrate(monkeypatch) -> None:
    def no_table(years):
        raise OperationalError("no such table: core_calendarday")

    monkeypatch.setattr("core.workdays.missing_years", no_table)
    assert check_calendar_coverage(None) == []


def test_years_to_cover() -> None:
    assert years_to_cover(day("2026-01-01")) == [2026]
    assert years_to_cover(day("2026-11-01")) == [2026]
    assert years_to_cover(day("2026-11-02")) == [2026, 2027]  # 60 days before 1 January 2027
    assert years_to_cover(day("2026-12-01")) == [2026, 2027]
    assert years_to_cover(day("2026-12-31")) == [2026, 2027]


def test_checks_module_reexports_the_banner() -> None:
    assert core_checks.calendar_warning is calendar_warning


# --- management command -----------------------------------------------------------------------


def test_seed_calendar_command(empty_calendar) -> None:
    out = StringIO()
    call_command("seed_calendar", "--year", "2025", "--year", "2026", stdout=out)
    assert "已写入 730 天" in out.getvalue()
    assert "2025–2026" in out.getvalue()
    with pytest.raises(CommandError, match="2027"):
        call_command("seed_calendar", "--year", "2027", stdout=StringIO())


@pytest.mark.django_db
def test_cached_banner_is_dropped_when_the_calendar_changes():
    from datetime import date as _date

    from core.workdays import calendar_warning_cached, enter_year_manually

    CalendarDay.objects.filter(date__year=2026).delete()
    from django.core.cache import cache

    cache.clear()
    assert "2026" in calendar_warning_cached()
    enter_year_manually(2026, [(_date(2026, 1, 1), _date(2026, 1, 1), "元旦")], [])
    assert calendar_warning_cached() is None or "2026" not in calendar_warning_cached()


# --- provisional years: the statutory days known in advance ------------------------------------


def _rest(year: int) -> list[tuple[str, str]]:
    from core.workdays import statutory_holidays

    return [(d.isoformat(), name) for d, name in statutory_holidays(year).items()]


def test_provisional_holidays_2027() -> None:
    """2027: 元旦 Fri 1-1; 春节 from the lunar new year (初一 Sat 6 February, 除夕 Fri 5th), its Saturday and
    Sunday made up on Tue 9 and Wed 10; 清明 on the solar term (Mon 5 April); 劳动节 Sat 1 – Sun 2 May made
    up on 3 and 4 May; 端午 Wed 9 June; 中秋 Wed 15 September; 国庆 1–3 October (Sat, Sun made up 4, 5)."""
    assert _rest(2027) == [
        ("2027-01-01", "元旦"),
        ("2027-02-05", "春节"),
        ("2027-02-06", "春节"),
        ("2027-02-07", "春节"),
        ("2027-02-08", "春节"),
        ("2027-02-09", "春节"),
        ("2027-02-10", "春节"),
        ("2027-04-05", "清明节"),
        ("2027-05-01", "劳动节"),
        ("2027-05-02", "劳动节"),
        ("2027-05-03", "劳动节"),
        ("2027-05-04", "劳动节"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2027-10-02", "国庆节"),
        ("2027-10-03", "国庆节"),
        ("2027-10-04", "国庆节"),
        ("2027-10-05", "国庆节"),
    ]


def test_provisional_holidays_2028() -> None:
    """2028: 元旦 on a Saturday (made up Mon 3 January); 春节 初一 Wed 26 January; 清明 Tue 4 April; 端午 on
    Sunday 28 May (made up Mon 29th); 中秋 Tue 3 October falls on 国庆's third day and is made up too."""
    assert _rest(2028) == [
        ("2028-01-01", "元旦"),
        ("2028-01-03", "元旦"),
        ("2028-01-25", "春节"),
        ("2028-01-26", "春节"),
        ("2028-01-27", "春节"),
        ("2028-01-28", "春节"),
        ("2028-04-04", "清明节"),
        ("2028-05-01", "劳动节"),
        ("2028-05-02", "劳动节"),
        ("2028-05-28", "端午节"),
        ("2028-05-29", "端午节"),
        ("2028-10-01", "国庆节"),
        ("2028-10-02", "国庆节"),
        ("2028-10-03", "国庆节"),
        ("2028-10-04", "国庆节"),
        ("2028-10-05", "中秋节"),
    ]


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_rule_is_the_official_calendar_without_tiaoxiu(year: int) -> None:
    """Checked against the State Council's 2025 and 2026 notices (chinesecalendar): a weekday rests in the
    provisional calendar exactly when it rests officially by law (not as a 调休 swap), and every
    provisional rest day rests officially. What the provisional year lacks is only the 调休 (bridging
    weekdays and the weekend working days), which nobody knows before the notice."""
    import chinese_calendar

    from core.workdays import statutory_holidays

    rest = statutory_holidays(year)
    first = date(year, 1, 1)
    for i in range(calendar.isleap(year) + 365):
        d = first + timedelta(days=i)
        official_rest = not chinese_calendar.is_workday(d)
        if d in rest:
            assert official_rest, d
        if d.weekday() < 5:
            by_law = official_rest and not chinese_calendar.is_in_lieu(d)
            assert (d in rest) == by_law, d


def test_provisional_names_and_weekends_in_the_table(calendar_2025_2026) -> None:
    assert working_deadline(day("2027-02-04"), 1) == (day("2027-02-11"), True)  # 5–10 February rest
    assert (row("2027-02-06").is_workday, row("2027-02-06").name, row("2027-02-06").source) == (
        False,
        "春节",
        "provisional",
    )
    assert (row("2027-02-20").is_workday, row("2027-02-20").name) == (False, "")  # no 调休 is guessed
    assert row("2027-04-05").name == "清明节"


def test_entering_the_year_is_audited_and_replaces_provisional_days(calendar_2025_2026, district) -> None:
    from core.models import AuditEvent
    from core.workdays import calendar_year_enter

    assert is_workday(day("2027-03-01")) is True  # 2027 now provisional
    change = calendar_year_enter(
        actor=district.user("admin"), year=2027, holidays=HOLIDAYS_2027, make_up_workdays=MAKE_UP_2027
    )
    assert change.years == [2027] and change.days_written == 365
    assert provisional_years() == [] and covered_years() == [2025, 2026, 2027]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CALENDAR_CHANGED)
    assert event.user == district.user("admin")
    assert event.detail["year"] == 2027 and event.detail["was_provisional"] is True
    assert "录入工作日历" in event.summary and "2027" in event.summary


def test_the_package_replaces_a_provisional_year(calendar_2025_2026) -> None:
    from core.models import AuditEvent
    from core.workdays import calendar_seed, provisional_year_fill

    CalendarDay.objects.filter(date__year=2026).delete()
    assert provisional_year_fill(2026) is True
    assert provisional_year_fill(2026) is False  # already there
    assert provisional_years() == [2026]
    assert row("2026-02-14").is_workday is False  # provisional: a plain Saturday
    change = calendar_seed(years=[2026])
    assert change.years == [2026]
    assert provisional_years() == [] and year_is_covered(2026)
    assert (row("2026-02-14").is_workday, row("2026-02-14").source) == (True, "package")  # the notice's 调休
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CALENDAR_CHANGED).count() == 1


def test_banner_only_for_calendar_administrators_from_60_days_ahead(district, login, monkeypatch) -> None:
    from django.core.cache import cache
    from django.utils import timezone

    CalendarDay.objects.filter(date__year=2027).delete()
    today = {"value": day("2026-11-01")}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today["value"])
    cache.clear()
    admin = login(district.user("admin"))
    assert 'data-testid="calendar-warning"' not in admin.get("/accounts/me/").content.decode()
    today["value"] = day("2026-11-02")  # 60 days before 1 January 2027
    cache.clear()
    body = admin.get("/accounts/me/").content.decode()
    assert 'data-testid="calendar-warning"' in body and "2027" in body and "暂定" in body
    other = login(district.user("rights"))
    assert 'data-testid="calendar-warning"' not in other.get("/accounts/me/").content.decode()
