"""The roll-up rule and the timetable's geometry (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reform.progress import bar, month_ticks, plan_progress, task_progress

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), days), st.one_of(st.none(), st.integers(0, 100)), days)
def test_task_progress_is_a_percentage_and_100_once_completed(completed_on, percent, on):
    value = task_progress(completed_on, percent, on)
    assert 0 <= value <= 100
    if completed_on is not None and completed_on <= on:
        assert value == 100
    else:
        assert value == (percent or 0)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 100), min_size=1, max_size=50))
def test_plan_progress_is_the_mean(values):
    result = plan_progress(values)
    assert min(values) <= result <= max(values)
    assert abs(result - Decimal(sum(values)) / len(values)) <= Decimal("0.05")


def test_a_plan_without_tasks_has_no_progress():
    assert plan_progress([]) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days, st.integers(0, 400), days, st.integers(0, 800))
def test_a_bar_lies_inside_the_window(start, length, window_start, window_length):
    end, window_end = start + timedelta(days=length), window_start + timedelta(days=window_length)
    b = bar(start, end, window_start, window_end)
    if end < window_start or start > window_end:
        assert b is None
    else:
        assert b is not None and 0 <= b.left <= 100 and b.width > 0 and b.left + b.width <= Decimal("100.01")


def test_bar_and_ticks_of_a_year():
    b = bar(date(2017, 7, 1), date(2017, 12, 31), date(2017, 1, 1), date(2017, 12, 31))
    assert b is not None and b.left == Decimal("49.59") and b.width == Decimal("50.41")
    ticks = month_ticks(date(2017, 3, 1), date(2017, 12, 31))
    assert [t[0] for t in ticks][:3] == ["2017年3月", "4月", "5月"] and len(ticks) == 10 and ticks[0][1] == 0
