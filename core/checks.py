"""System checks of the Gonghui project (tag ``gonghui``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from core import workdays
from core.workdays import calendar_warning

__all__ = ["calendar_warning", "check_calendar_coverage"]


@register("gonghui")
def check_calendar_coverage(app_configs: Any = None, today: date | None = None, **kwargs: Any) -> list[CheckMessage]:
    """gonghui.W001: this year, or (within 60 days of it) next year, is not entered in the calendar.

    Deadlines over a year not entered are computed provisionally (暂定) until it is. Before ``migrate``
    the table does not exist: the check then says nothing rather than crash ``migrate`` itself.
    """
    try:
        years = workdays.missing_calendar_years(today)
    except DatabaseError:  # OperationalError (SQLite) / ProgrammingError (PostgreSQL): no table yet
        return []
    if not years:
        return []
    return [
        Warning(
            workdays.calendar_pending_message(years),
            hint=(
                "运行 python manage.py seed_calendar 从内置节假日数据（chinesecalendar）导入；尚未包含的年份，"
                "请按国务院办公厅发布的放假安排在“工作日历”中录入。"
            ),
            id="gonghui.W001",
        )
    ]
