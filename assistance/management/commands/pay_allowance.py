"""python manage.py pay_allowance YYYY-MM — the month's living-allowance cycle (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistance.services.allowance import allowance_month_run
from core.system import system_actor


class Command(BaseCommand):
    help = "生成并计算某月的困难职工生活补助发放周期（含补发月份），打印人数与金额；审批在发放周期页面由审批人办理"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="月份，如 2026-03")
        parser.add_argument("--programme", help="生活补助项目编码（有多个启用中的项目时必填）")
        parser.add_argument("--recompute", action="store_true", help="该月周期已计算但未审批时重新计算")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = allowance_month_run(
                actor=system_actor(),
                month=options["month"],
                programme_code=options.get("programme"),
                recompute=options["recompute"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("；".join(messages)) from None
        for line in run.lines():
            self.stdout.write(line)
