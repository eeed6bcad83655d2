"""Cron: ``python manage.py appeals_tick`` (e.g. hourly on working days).

Reminds handlers one working day before a deadline, flags and escalates overdue requests and
referrals to the parent organisation, and closes requests fed back N days ago and never rated.
Idempotent: running it twice sends nothing twice (notification dedupe keys).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from appeals import defaults, services


class Command(BaseCommand):
    help = "诉求定时任务：到期前一个工作日提醒、超时督办、反馈后逾期未评价自动办结（可重复执行）"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--autoclose-days", type=int, default=defaults.AUTOCLOSE_DAYS, help="反馈后多少天未评价自动办结（默认 7）"
        )

    def handle(self, *args, **options) -> None:
        out = services.appeals_tick(autoclose_days=options["autoclose_days"])
        self.stdout.write(f"到期提醒 {out['near']} 件，超时督办 {out['overdue']} 件，自动办结 {out['auto_closed']} 件")
