"""The allowance's month rule, as pure functions (hypothesis over the boundaries)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assistance.plugins.allowance import MonthLine, add_months, explain, month_key, month_payable

FEB = date(2026, 2, 1)
SPAN = [(date(2026, 1, 31), date(2027, 1, 30))]


def test_approved_31_january_pays_from_february():
    assert not month_payable(date(2026, 1, 1), approved_on=date(2026, 1, 31), exited_on=None, spans=SPAN)
    assert month_payable(FEB, approved_on=date(2026, 1, 31), exited_on=None, spans=SPAN)


def test_approved_on_the_first_pays_from_the_next_month():
    spans = [(FEB, date(2027, 1, 31))]
    assert not month_payable(FEB, approved_on=FEB, exited_on=None, spans=spans)
    assert month_payable(date(2026, 3, 1), approved_on=FEB, exited_on=None, spans=spans)


def test_exit_mid_month_pays_that_month_not_the_next():
    kwargs = {"approved_on": date(2026, 1, 31), "spans": SPAN}
    assert month_payable(date(2026, 3, 1), exited_on=date(2026, 3, 15), **kwargs)
    assert not month_payable(date(2026, 4, 1), exited_on=date(2026, 3, 15), **kwargs)
    # exit on the first day itself: not before it, so that month is still paid
    assert month_payable(date(2026, 3, 1), exited_on=date(2026, 3, 1), **kwargs)
    assert not month_payable(date(2026, 3, 1), exited_on=date(2026, 2, 28), **kwargs)


def test_lapsed_month_not_paid_and_a_late_reverification_restores_the_next():
    spans = [(date(2025, 1, 10), date(2026, 1, 9))]
    approved = date(2025, 1, 10)
    assert month_payable(date(2026, 1, 1), approved_on=approved, exited_on=None, spans=spans)
    assert not month_payable(FEB, approved_on=approved, exited_on=None, spans=spans)
    spans.append((date(2026, 2, 20), date(2027, 2, 19)))
    assert not month_payable(FEB, approved_on=approved, exited_on=None, spans=spans)  # still lapsed on 1 Feb
    assert month_payable(date(2026, 3, 1), approved_on=approved, exited_on=None, spans=spans)


def test_never_approved_never_paid():
    assert not month_payable(FEB, approved_on=None, exited_on=None, spans=SPAN)


def test_add_months_across_years():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 3, 1), -14) == date(2025, 1, 1)
    assert month_key(date(2026, 3, 1)) == "2026-03"


def test_explanation_names_every_arrears_month():
    lines = [
        MonthLine(1, "T1", date(2026, 1, 1), Decimal("200.00"), arrears=True),
        MonthLine(1, "T1", date(2026, 2, 1), Decimal("200.00"), arrears=True),
        MonthLine(1, "T1", date(2026, 3, 1), Decimal("300.00"), arrears=False),
    ]
    text = explain(lines, date(2026, 3, 1))
    assert "2026-03 生活补助 300.00 元" in text
    assert "补发 2 个月：2026-01（200.00 元）、2026-02（200.00 元），计 400.00 元" in text
    assert text.endswith("合计 700.00 元")


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(approved=days, first=days.map(lambda d: d.replace(day=1)), exit_gap=st.integers(-400, 400))
def test_payable_only_strictly_after_approval_and_not_after_exit(approved, first, exit_gap):
    exited = approved + timedelta(days=abs(exit_gap)) if exit_gap >= 0 else None
    spans = [(approved, date(2031, 12, 31))]
    paid = month_payable(first, approved_on=approved, exited_on=exited, spans=spans)
    assert paid == (approved < first and (exited is None or exited >= first))


@given(first=days.map(lambda d: d.replace(day=1)), done=days, length=st.integers(0, 800))
def test_payable_exactly_when_a_span_covers_the_first_day(first, done, length):
    spans = [(done, done + timedelta(days=length))]
    paid = month_payable(first, approved_on=date(2019, 1, 1), exited_on=None, spans=spans)
    assert paid == (done <= first <= done + timedelta(days=length))


@given(first=days.map(lambda d: d.replace(day=1)), n=st.integers(-60, 60))
def test_add_months_round_trips(first, n):
    there = add_months(first, n)
    assert there.day == 1
    assert add_months(there, -n) == first
    assert (there.year - first.year) * 12 + there.month - first.month == n
