"""The organisation tree and who holds which role where."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from pypinyin import Style, lazy_pinyin
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from core.fields import CreditCodeField
from core.validators import validate_credit_code
from orgs.roles import Role, ScopeMode
from orgs.scopespec import ScopeSpec

INITIALS_MAX = 60


def name_initials(name: str) -> str:
    """The pinyin initials of a name, lower-case letters and digits only: 南彩镇总工会 → ncgzgh.

    Latin letters and digits in the name are kept as they are (北京ABC公司 → bjabcgs), so a picker
    finds an organisation by the letters a person types on a phone keyboard.
    """
    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())[:INITIALS_MAX]


CREDIT_CODE_TAKEN = "该统一社会信用代码已登记在另一个正常状态的工会：同一单位只能有一个正常状态的工会，请核对代码"


class Organisation(MP_Node):
    """A node of the district's union tree, or a partner organisation (团委, 妇联, departments).

    ``path`` is treebeard's materialised path; subtree queries use a path range (see orgs.scope).
    ``code`` is the stable identifier shown to people and used by the API: moving keeps it.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", "区总工会"
        TOWN = "town", "镇（地区）工会"
        STREET = "street", "街道工会"
        ZONE = "zone", "功能区工会"
        SECTOR = "sector", "系统（行业）工会"
        ENTERPRISE = "enterprise", "企业工会"
        VILLAGE_JOINT = "village_joint", "村工会联合会"
        COMMUNITY_JOINT = "community_joint", "社区工会联合会"
        INSTITUTION = "institution", "机关事业单位工会"
        OTHER = "other", "其他基层工会"
        YOUTH_LEAGUE = "youth_league", "共青团组织"
        WOMENS_FEDERATION = "womens_federation", "妇联组织"
        GOVERNMENT = "government", "政府部门"

    class EconomicType(models.TextChoices):
        STATE = "state", "国有"
        COLLECTIVE = "collective", "集体"
        NON_PUBLIC = "non_public", "非公"
        PUBLIC_INSTITUTION = "institution", "事业"
        GOVERNMENT_ORGAN = "organ", "机关"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        CLOSED = "closed", "已撤销"

    SUB_FEDERATION_KINDS = frozenset({Kind.TOWN, Kind.STREET, Kind.ZONE, Kind.SECTOR})
    GRASSROOTS_KINDS = frozenset(
        {Kind.ENTERPRISE, Kind.VILLAGE_JOINT, Kind.COMMUNITY_JOINT, Kind.INSTITUTION, Kind.OTHER}
    )
    JOINT_UNION_KINDS = frozenset({Kind.VILLAGE_JOINT, Kind.COMMUNITY_JOINT})
    PARTNER_KINDS = frozenset({Kind.YOUTH_LEAGUE, Kind.WOMENS_FEDERATION, Kind.GOVERNMENT})

    node_order_by: list[str] = []

    code = models.CharField("组织编码", max_length=40, unique=True)
    name = models.CharField("组织名称", max_length=120, db_index=True)
    initials = models.CharField(
        "拼音首字母", max_length=INITIALS_MAX, blank=True, editable=False, help_text="由名称自动生成，用于检索"
    )
    kind = models.CharField("组织类型", max_length=24, choices=Kind.choices, db_index=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    closed_on = models.DateField("撤销日期", null=True, blank=True)
    employer_name = models.CharField("单位名称", max_length=120, blank=True)
    credit_code = CreditCodeField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code], db_index=True
    )
    economic_type = models.CharField("经济类型", max_length=16, choices=EconomicType.choices, blank=True)
    chair_name = models.CharField("工会主席", max_length=50, blank=True)
    chair_full_time = models.BooleanField("主席专职", default=False)
    vice_chairs = models.CharField("副主席", max_length=200, blank=True, help_text="多人用顿号“、”分隔")
    address = models.CharField("地址", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)

    history = HistoricalRecords(excluded_fields=["numchild", "initials"])

    data_scope = ScopeSpec(paths=("path",))

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code="") & models.Q(status="active"),
                name="orgs_unique_active_credit_code",
                violation_error_code="unique",
                violation_error_message=CREDIT_CODE_TAKEN,
            ),
        ]
        # one level of a subtree (a node's children, the district's towns) without reading the levels below
        indexes = [models.Index(fields=["depth", "path"], name="orgs_depth_path")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.initials = name_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "initials"}
        super().save(*args, **kwargs)

    @property
    def is_grassroots(self) -> bool:
        return self.kind in self.GRASSROOTS_KINDS

    @property
    def is_partner(self) -> bool:
        return self.kind in self.PARTNER_KINDS

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]


class RoleAssignment(models.Model):
    """A role held by a user over an organisation (and, by default, its whole subtree)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="role_assignments"
    )
    scope = models.CharField("数据范围", max_length=12, choices=ScopeMode.choices, default=ScopeMode.SUBTREE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation"], name="orgs_unique_role_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
