"""``python manage.py work_report [--org CODE] [--from DATE] [--to DATE] [--format txt|docx|pdf] [-o FILE]``

Prints (txt) or writes the work report (工作简报) of an organisation's subtree for a period, with the
officers' edited wording when a draft exists for exactly that organisation and period. The figures are
computed in the scope of an account (``--user``; by default the first active district administrator),
as the page would show them to that account.
"""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import User
from dashboard import selectors
from dashboard.figures import Period, board
from dashboard.periods import MAX_YEAR, MIN_YEAR
from dashboard.report import render
from dashboard.report_export import export
from orgs.models import Organisation, RoleAssignment
from orgs.roles import Perm, Role
from orgs.scope import can_at


def _date(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{what}“{text}”不是有效日期（应为 YYYY-MM-DD）") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CommandError(f"{what}应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间")
    return day


class Command(BaseCommand):
    help = "生成工作简报（txt 输出到屏幕，docx/pdf 写入文件）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="组织编码（默认：全区）")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD（默认：当年 1 月 1 日）")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD（默认：今天）")
        parser.add_argument("--format", choices=("txt", "docx", "pdf"), default="txt")
        parser.add_argument("-o", "--output", help="输出文件（docx、pdf 必填；txt 默认输出到屏幕）")
        parser.add_argument("--user", help="按该账号的数据范围统计（默认：第一个启用的区总工会管理员）")

    def handle(self, *args, **options) -> None:
        user = self._user(options.get("user"))
        root = self._root(user, options.get("org"))
        today = timezone.localdate()
        end = _date(options.get("end"), "截止日期") or today
        start = _date(options.get("start"), "起始日期") or date(end.year, 1, 1)
        if end < start:
            raise CommandError("截止日期不能早于起始日期")
        period = Period(start, end)
        fmt = options["format"]
        output = options.get("output")
        if fmt != "txt" and not output:
            raise CommandError(f"{fmt} 格式请用 -o 指定输出文件")
        report = render(selectors.report_template(selectors.report_draft(root, period)), board(user, root, period))
        body = export(report, fmt)
        if output:
            with open(output, "wb") as fh:
                fh.write(body)
            self.stderr.write(f"已写入 {output}（{len(body)} 字节）")
        else:
            sys.stdout.flush()
            self.stdout.write(body.decode("utf-8"), ending="")

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"账号“{username}”不存在或已停用")
            return user
        assignment = (
            RoleAssignment.objects.filter(role=Role.DISTRICT_ADMIN, organisation__depth=1, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if assignment is None:
            raise CommandError("没有启用的区总工会管理员账号，请用 --user 指定统计所用的账号")
        return assignment.user

    def _root(self, user: User, code: str | None) -> Organisation:
        if code:
            org = Organisation.objects.filter(code=code[:40]).first()
            if org is None or not can_at(user, Perm.ORG_VIEW, org):
                raise CommandError(f"组织“{code}”不存在或不在账号 {user.username} 的范围内")
            return org
        org = Organisation.objects.filter(depth=1).order_by("path").first()
        if org is None or not can_at(user, Perm.ORG_VIEW, org):
            raise CommandError("账号的范围不含全区，请用 --org 指定组织")
        return org
