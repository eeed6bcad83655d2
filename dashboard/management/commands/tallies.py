"""``python manage.py tallies [--check] [--rebuild] [--install]``

The dashboard's precomputed tallies (``dashboard.tallies``): with ``--check`` (the default) compare
them with a fresh count of their tables and report the triggers that are missing; exits 1 when
anything disagrees. ``--rebuild`` recounts them from the tables (safe at any time, in one transaction);
``--install`` recreates the triggers too (what the migration does).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dashboard import tallies


class Command(BaseCommand):
    help = "核对或重建领导驾驶舱的预计算汇总"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true", help="从业务表重新汇总")
        parser.add_argument("--install", action="store_true", help="重新安装触发器并重建")
        parser.add_argument("--check", action="store_true", help="核对汇总与业务表（默认）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["install"]:
            tallies.install()
            self.stdout.write("已安装触发器并重建驾驶舱汇总")
        elif options["rebuild"]:
            tallies.rebuild()
            self.stdout.write("已重建驾驶舱汇总")
        missing = sorted(tallies.missing_triggers())
        differences = tallies.differences()
        for table, n in differences.items():
            self.stdout.write(f"{table}: {'一致' if n == 0 else f'{n} 项不一致'}")
        self.stdout.write(f"状态：{'待重建（组织结构已调整）' if not tallies.fresh() else '可用'}")
        if missing:
            self.stdout.write(f"缺少触发器：{'、'.join(missing)}（请运行 python manage.py tallies --install）")
        if missing or any(differences.values()):
            raise CommandError("驾驶舱汇总与业务表不一致")
