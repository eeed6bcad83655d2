"""Load the demo district: ``python manage.py demo``. Deterministic and idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from activities import demo as activities_demo
from appeals import demo as appeals_demo
from assessment import demo as assessment_demo
from assistance import demo as assistance_demo
from assistance import demo_allowance as assistance_allowance_demo
from assistance import demo_relief as assistance_relief_demo
from cadres import demo as cadres_demo
from demo import year2017
from funds import demo as funds_demo
from members import demo as members_demo
from orgs import demo as orgs_demo
from orgs.models import Organisation
from programmes import demo as programmes_demo
from reform import demo as reform_demo
from surveys import demo as surveys_demo


class Command(BaseCommand):
    help = "载入演示数据：顺义区总工会及其镇街、基层工会和每个角色的演示账号（可重复执行）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=3000, help="演示会员人数（默认 3000；基准测试可用 300000）")
        parser.add_argument("--quiet", action="store_true", help="不打印演示账号")

    def handle(self, *args, **options) -> None:
        root = orgs_demo.build_tree()
        accounts = orgs_demo.build_accounts()
        count = Organisation.objects.filter(path__startswith=root.path).count()
        self.stdout.write(f"演示区：{root.name}，共 {count} 个组织")
        # Each app's demo step, in dependency order (each is idempotent and prints one summary line).
        steps: list = [
            members_demo.build,
            programmes_demo.build,
            appeals_demo.build,
            activities_demo.build,
            cadres_demo.build,
            assistance_demo.build,
            assistance_allowance_demo.build,
            assistance_relief_demo.build,
            funds_demo.build,  # money reaching the bank: accounts, one sent batch with a return
            assessment_demo.build,
            surveys_demo.build,
            reform_demo.build,
            # The 2017 history last: the current year's steps above stay exactly as they were.
            year2017.build,
        ]
        for step in steps:
            self.stdout.write(step(options))
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {orgs_demo.DEMO_PASSWORD}）：")
        for acc in accounts:
            self.stdout.write(f"  {acc.username:<10} {acc.note}")
        self.stdout.write("")
