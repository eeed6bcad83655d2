"""``manage.py seed_calendar [--year 2025 ...]``: fill the working calendar from chinesecalendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.workdays import CalendarYearMissing, calendar_seed, calendar_warning, covered_years


def _ranges(years: list[int]) -> str:
    """``[2004, 2005, 2006, 2010]`` → ``"2004–2006、2010"``."""
    parts: list[str] = []
    start = prev = None
    for y in [*years, None]:
        if prev is not None and y == prev + 1:
            prev = y
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = y
    return "、".join(parts) or "无"


class Command(BaseCommand):
    help = "从内置节假日数据（chinesecalendar）导入工作日历（法定节假日与调休上班日），取代暂定年份并重算暂定期限；管理员录入的年份不会被覆盖。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            dest="years",
            type=int,
            action="append",
            help="只导入这一年（可重复）；默认导入数据包的全部年份",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            change = calendar_seed(years=options["years"])
        except CalendarYearMissing as exc:
            raise CommandError(f"chinesecalendar 数据包不包含 {exc.year} 年：{exc}") from exc
        self.stdout.write(f"已写入 {change.days_written} 天。工作日历覆盖年份：{_ranges(covered_years())}")
        if change.years:
            self.stdout.write(f"取代暂定年份：{change.summary}")
        warning = calendar_warning()
        if warning:
            self.stdout.write(self.style.WARNING(warning))
