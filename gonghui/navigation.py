"""The back-office menu: each entry shows only to users whose roles grant its action somewhere."""

from __future__ import annotations

from dataclasses import dataclass

from orgs.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None  # None: every signed-in user


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


MENU: tuple[NavGroup, ...] = (
    NavGroup(
        "组织",
        (
            NavItem("组织架构", "orgs:tree", Perm.ORG_VIEW),
            NavItem("组织列表", "orgs:list", Perm.ORG_VIEW),
        ),
    ),
    NavGroup(
        "系统",
        (
            NavItem("用户与角色", "accounts:user_list", Perm.USER_MANAGE),
            NavItem("安全审计", "accounts:audit", Perm.AUDIT_VIEW),
            NavItem("数据变更记录", "accounts:history", Perm.AUDIT_VIEW),
            NavItem("工作日历", "accounts:calendar", Perm.CALENDAR_MANAGE),
            NavItem("接口文档", "api:docs", None),
        ),
    ),
)
