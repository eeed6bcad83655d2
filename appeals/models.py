"""Workers' requests (诉求) and their closed loop: 联系 → 沟通 → 协调 → 处理 → 反馈 → 评价.

State changes happen only in ``appeals.services`` (the FSM field is protected); reads in
``appeals.selectors``. Flags used by the rates (``contacted_in_time``, ``resolved``, ``overdue``,
``rating``) are stored on the row so that any subtree's rates are one aggregate query.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField
from orgs.models import Organisation
from orgs.roles import Role
from orgs.scope import subtree_q
from orgs.scopespec import ScopeSpec


class HandlerKind(models.TextChoices):
    UNION_DEPT = "union_dept", "区总工会部室"
    SUB_UNION = "sub_union", "镇街/功能区工会"
    YOUTH_LEAGUE = "youth_league", "团委"
    WOMENS_FEDERATION = "womens_federation", "妇联"
    GOVERNMENT = "government", "政府部门"


class Category(models.Model):
    """诉求分类, with the default handling organisation type and handling time in working days."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    default_handler_kind = models.CharField("默认承办单位类型", max_length=24, choices=HandlerKind.choices)
    handling_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=10)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class LiaisonAssignment(models.Model):
    """点对点: a liaison (social worker or cadre) covers a grassroots union and so its members.

    History is kept as rows: a change ends the current row (``ended_on``) and starts a new one.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name="基层工会", on_delete=models.PROTECT, related_name="liaison_assignments"
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="联络人", on_delete=models.PROTECT, related_name="liaison_assignments"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指派人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "联络人指派"
        verbose_name_plural = "联络人指派"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(ended_on__isnull=True),
                name="appeals_one_current_liaison",
                violation_error_message="该工会已有在任联络人",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.liaison}"


def _referred_to_grant(grant: Any, perm: str) -> Q | None:
    """A partner officer (团委/妇联/部门) sees the requests referred to an organisation in their grant."""
    if grant.role != Role.PARTNER_OFFICER:
        return None
    return Q(
        Exists(
            Referral.objects.filter(appeal=OuterRef("pk")).filter(
                subtree_q("handler_org__path", grant.path)
                if grant.mode == "subtree"
                else Q(handler_org__path=grant.path)
            )
        )
    )


class Appeal(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", "联系（已登记）"
        CONTACTED = "contacted", "沟通（已联系）"
        COORDINATING = "coordinating", "协调（转办中）"
        HANDLING = "handling", "处理（办理中）"
        FED_BACK = "fed_back", "反馈（待评价）"
        CLOSED = "closed", "评价（已办结）"

    class Channel(models.TextChoices):
        PORTAL = "portal", "职工端"
        HOTLINE = "hotline", "12351 热线"
        VISIT = "visit", "来访"
        OUTREACH = "outreach", "联络人走访"

    class Contact(models.TextChoices):
        PHONE = "phone", "电话"
        SMS = "sms", "短信"
        VISIT = "visit", "上门/面谈"
        ONLINE = "online", "平台消息"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    OPEN_STATES = (State.REGISTERED, State.CONTACTED, State.COORDINATING, State.HANDLING)

    organisation = models.ForeignKey(
        Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="appeals"
    )
    worker = models.ForeignKey(
        "members.Person", verbose_name="职工", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    anonymous = models.BooleanField("匿名", default=False)
    third_party = models.BooleanField("代他人反映", default=False)
    reporter_name = models.CharField("反映人", max_length=50, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    preferred_contact = models.CharField("希望联系方式", max_length=12, choices=Contact.choices, default=Contact.PHONE)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name="分类", on_delete=models.PROTECT, related_name="appeals")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容")

    state = FSMField("状态", default=State.REGISTERED, choices=State.choices, protected=True, db_index=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="联络人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_appeals",
    )
    lead_handler_org = models.ForeignKey(
        Organisation,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_appeals",
    )
    registered_at = models.DateTimeField("登记时间", db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_deadline = models.DateField("联系时限")
    handling_deadline = models.DateField("办理时限")
    # A deadline counted over days of a year not entered yet (core.workdays: provisional) is shown
    # as 暂定 and recomputed when the year is entered (appeals.services.appeal_deadlines_replan).
    contact_deadline_provisional = models.BooleanField("联系时限暂定", default=False)
    handling_deadline_provisional = models.BooleanField("办理时限暂定", default=False)
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    contacted_in_time = models.BooleanField("按时联系", default=False)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    resolved = models.BooleanField("已解决", default=False)
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    auto_closed = models.BooleanField("逾期未评价自动办结", default=False)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    overdue = models.BooleanField("曾超时", default=False, db_index=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    invalid = models.BooleanField("无效诉求", default=False)
    invalid_reason = models.CharField("无效原因", max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["contact_phone"])

    data_scope = ScopeSpec(paths=("organisation__path",), owner="worker__user", extra=_referred_to_grant)

    class Meta:
        verbose_name = "职工诉求"
        verbose_name_plural = "职工诉求"
        ordering = ["-registered_at", "-id"]
        indexes = [
            # Covering index for the rates: the grouped aggregate reads only this index (bench/appeals_rates.py).
            models.Index(
                fields=[
                    "organisation",
                    "registered_at",
                    "state",
                    "contacted_in_time",
                    "invalid",
                    "resolved",
                    "rating",
                    "overdue",
                    "reopen_count",
                    "category",
                    "channel",
                    "liaison",
                    "lead_handler_org",
                ],
                name="appeals_rates_cover",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(invalid=False) | ~Q(invalid_reason=""),
                name="appeals_invalid_has_reason",
                violation_error_message="标记无效必须填写原因",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # Transitions: called only by appeals.services, which check permissions and give the reasons.
    @transition(field=state, source=State.REGISTERED, target=State.CONTACTED)
    def t_contact(self) -> None: ...

    @transition(field=state, source=[State.CONTACTED, State.HANDLING], target=State.COORDINATING)
    def t_coordinate(self) -> None: ...

    @transition(field=state, source=State.COORDINATING, target=State.HANDLING)
    def t_handle(self) -> None: ...

    @transition(field=state, source=State.HANDLING, target=State.FED_BACK)
    def t_feedback(self) -> None: ...

    @transition(field=state, source=State.FED_BACK, target=State.CLOSED)
    def t_close(self) -> None: ...

    @transition(field=state, source=State.FED_BACK, target=State.COORDINATING)
    def t_reopen(self) -> None: ...

    @transition(field=state, source=[State.REGISTERED, State.CONTACTED, State.COORDINATING], target=State.CLOSED)
    def t_invalidate(self) -> None: ...

    @property
    def number(self) -> str:
        return f"SQ{self.registered_at:%Y}{self.pk:06d}" if self.pk else "（未保存）"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def reporter_display(self) -> str:
        if self.anonymous:
            return "匿名"
        if self.worker_id:
            return self.worker.name
        return self.reporter_name or "—"


class Referral(models.Model):
    """A child item of a request: one handling organisation (lead or co-handler) with its own deadline."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"

    class State(models.TextChoices):
        ASSIGNED = "assigned", "待受理"
        ACCEPTED = "accepted", "办理中"
        DONE = "done", "已办结"
        RETURNED = "returned", "已退回"

    OPEN_STATES = (State.ASSIGNED, State.ACCEPTED)

    appeal = models.ForeignKey(Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="referrals")
    handler_org = models.ForeignKey(
        Organisation, verbose_name="承办单位", on_delete=models.PROTECT, related_name="referrals"
    )
    role = models.CharField("角色", max_length=8, choices=Role.choices)
    state = FSMField("状态", default=State.ASSIGNED, choices=State.choices, protected=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    deadline = models.DateField("办理时限")
    deadline_provisional = models.BooleanField("办理时限暂定", default=False)
    assigned_at = models.DateTimeField("转办时间")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="转办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    instructions = models.CharField("转办说明", max_length=500, blank=True)
    finished_at = models.DateTimeField("办结/退回时间", null=True, blank=True)
    result = models.TextField("办理情况", blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    overdue = models.BooleanField("曾超时", default=False)

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("handler_org__path", "appeal__organisation__path"))

    class Meta:
        verbose_name = "转办子项"
        verbose_name_plural = "转办子项"
        ordering = ["assigned_at", "id"]
        indexes = [models.Index(fields=["handler_org", "state"], name="appeals_referral_handler")]

    def __str__(self) -> str:
        return f"{self.appeal.number} → {self.handler_org}（{self.get_role_display()}）"

    @transition(field=state, source=State.ASSIGNED, target=State.ACCEPTED)
    def t_accept(self) -> None: ...

    @transition(field=state, source=State.ACCEPTED, target=State.DONE)
    def t_done(self) -> None: ...

    @transition(field=state, source=[State.ASSIGNED, State.ACCEPTED], target=State.RETURNED)
    def t_return(self) -> None: ...

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class TimelineEntry(models.Model):
    """Who did what, when, and what was said: the request's full trail (append-only)."""

    appeal = models.ForeignKey(Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=80, blank=True)
    action = models.CharField("动作", max_length=32)
    state_from = models.CharField("原状态", max_length=16, blank=True)
    state_to = models.CharField("新状态", max_length=16, blank=True)
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("职工可见", default=True)
    referral = models.ForeignKey(
        "Referral",
        verbose_name="相关转办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timeline",
        help_text="记录所涉的转办（如某一转办的超时督办）",
    )

    class Meta:
        verbose_name = "诉求记录"
        verbose_name_plural = "诉求记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def state_to_display(self) -> str:
        return Appeal.State(self.state_to).label if self.state_to in Appeal.State.values else self.state_to


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"appeals/{instance.appeal_id}/{filename}"


class Attachment(models.Model):
    """A file of a request; served only through the scoped view, never from /media directly."""

    appeal = models.ForeignKey(Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=_attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求附件"
        verbose_name_plural = "诉求附件"

    def __str__(self) -> str:
        return self.name
