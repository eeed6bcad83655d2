"""The columns of the user list and the audit list: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.lists import DateTimeColumn, Table, YesNoColumn
from core.models import User


class UserTable(Table):
    username = tables.Column(
        verbose_name="用户名", linkify=("accounts:user_detail", {"pk": tables.A("pk")}), orderable=True
    )
    display_name = tables.Column(verbose_name="姓名", orderable=True)
    roles = tables.Column(verbose_name="角色", accessor="pk", orderable=False)
    is_active = YesNoColumn(verbose_name="启用")
    last_login = DateTimeColumn(verbose_name="最后登录", orderable=True)
    date_joined = DateTimeColumn(verbose_name="创建时间", visible=False)

    @staticmethod
    def _roles(record: User) -> list[tuple[str, str]]:
        return [(a.get_role_display(), a.organisation.name) for a in record.role_assignments.all()]

    def render_roles(self, record: User) -> Any:
        roles = self._roles(record)
        if not roles:
            return mark_safe('<span class="text-secondary">无角色</span>')  # a constant
        return format_html_join("", '<span class="badge bg-blue-lt me-1">{} · {}</span>', roles)

    def value_roles(self, record: User) -> str:
        return "；".join(f"{role} · {org}" for role, org in self._roles(record))

    def render_is_active(self, value: bool) -> Any:
        colour, text = ("bg-green-lt", "启用") if value else ("bg-secondary-lt", "停用")
        return format_html('<span class="badge {}">{}</span>', colour, text)

    def value_is_active(self, value: bool) -> str:
        return "是" if value else "否"


class AuditEventTable(Table):
    at = DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", orderable=True, order_by=("at", "id"))
    kind = tables.Column(verbose_name="类型")
    username = tables.Column(verbose_name="账号")
    ip_address = tables.Column(verbose_name="IP 地址")
    object_type = tables.Column(verbose_name="对象类型", visible=False)
    object_id = tables.Column(verbose_name="对象", visible=False)
    summary = tables.Column(verbose_name="摘要")
