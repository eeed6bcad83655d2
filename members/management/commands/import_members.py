"""``python manage.py import_members FILE`` (xlsx or csv) and ``--template FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_log
from core.models import AuditEvent, User
from members.importing import (
    ImportFileError,
    ImportRefused,
    commit_import,
    plan_import,
    read_table,
    write_error_report,
    write_template,
)
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


class Command(BaseCommand):
    help = "导入会员名单（xlsx 或 csv）；有任何错误则不写入，并生成错误报告。--template 生成导入模板"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--template", metavar="FILE", help="把导入模板写到 FILE 后退出")
        parser.add_argument("--user", help="以该账号的权限范围导入（默认：系统，不限范围）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并显示统计，不写入")
        parser.add_argument("--report", metavar="FILE", help="错误报告的保存位置（默认：原文件名-错误报告.xlsx）")

    def handle(self, *args, **options) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"账号“{options['user']}”不存在或已停用")
        if options["template"]:
            unions = Organisation.objects.filter(
                kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE
            )
            if actor is not None:
                unions = scoped(actor, Perm.MEMBER_IMPORT, unions)
            write_template(options["template"], unions=list(unions.order_by("path")))
            self.stdout.write(f"已生成导入模板：{options['template']}")
            return
        if not options["file"]:
            raise CommandError("请指定要导入的文件，或用 --template FILE 生成模板")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")

        def progress(fraction: float, stage: str) -> None:
            if options["verbosity"] >= 2:
                sys.stderr.write(f"\r{int(fraction * 100):3d}% {stage:<30}")

        try:
            table = read_table(path, path.name)
            if options["dry_run"]:
                plan = plan_import(table, actor=actor, progress=progress)
            else:
                plan = commit_import(table, actor=actor, progress=progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        except ImportRefused as refused:
            plan = refused.plan
        c = plan.counts
        self.stdout.write(
            f"共 {c['rows']} 行：新增 {c['new']}，更新 {c['updated']}，无变化 {c['unchanged']}，"
            f"转会待办 {c['transfer']}，错误 {c['errors']}"
        )
        for warning in plan.warnings:
            self.stdout.write(f"提示：{warning}")
        report = options["report"] or str(path.with_name(f"{path.stem}-错误报告.xlsx"))
        if plan.errors or plan.notices:
            write_error_report(report, plan)
        for row_no, msg in plan.messages("errors", limit=20):
            self.stderr.write(f"第{row_no}行 {msg}")
        if plan.errors:
            raise CommandError(f"有 {plan.error_count} 行错误，未导入任何数据。错误报告：{report}")
        if plan.notices:
            self.stdout.write(f"转会情形未导入，详见报告：{report}")
        if options["dry_run"]:
            self.stdout.write("（试运行，未写入）")
            return
        audit_log(
            AuditEvent.Kind.IMPORT,
            user=actor,
            username="" if actor else "manage.py",
            summary=f"命令行导入会员名单“{path.name}”：{c['rows']} 行",
            detail=c,
        )
        self.stdout.write(self.style.SUCCESS("导入完成"))
