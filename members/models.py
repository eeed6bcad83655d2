"""The real-name member registry (会员实名制): people, their memberships and honours.

A person has at most one active membership (a database constraint, not only a check in Python).
A transfer (转会) ends the old membership with status "transferred" and starts a new one: records
made while the person belonged to the old union (requests, payments, activities) keep pointing at
the old union, which goes on seeing them; the new union sees the person from the transfer on.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.crypto import BlindIndexField, EncryptedTextField
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Education(models.TextChoices):
        PRIMARY = "primary", "小学及以下"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "高中/中专/技校"
        COLLEGE = "college", "大专"
        BACHELOR = "bachelor", "本科"
        POSTGRADUATE = "postgraduate", "研究生"

    class Political(models.TextChoices):
        MASSES = "masses", "群众"
        CPC = "cpc", "中共党员"
        PROBATIONARY = "probationary", "中共预备党员"
        LEAGUE = "league", "共青团员"
        OTHER_PARTY = "other_party", "民主党派"

    class SkillLevel(models.TextChoices):
        NONE = "", "无"
        LEVEL5 = "5", "初级工（五级）"
        LEVEL4 = "4", "中级工（四级）"
        LEVEL3 = "3", "高级工（三级）"
        LEVEL2 = "2", "技师（二级）"
        LEVEL1 = "1", "高级技师（一级）"

    class Hukou(models.TextChoices):
        URBAN = "urban", "城镇"
        RURAL = "rural", "农村"

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_number = EncryptedTextField("身份证号")
    id_number_index = BlindIndexField("身份证号索引", source="id_number", purpose="id_number", unique=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    mobile = EncryptedTextField("手机号", blank=True, default="")
    mobile_index = BlindIndexField("手机号索引", source="mobile", purpose="mobile", blank=True, db_index=True)
    # A landline (or any contact number) as offices' rosters keep it in 联系电话, beside the mobile.
    phone = EncryptedTextField("联系电话", blank=True, default="")
    address = EncryptedTextField("住址", blank=True, default="")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=16, choices=Political.choices, blank=True)
    employer = models.CharField("工作单位", max_length=120, blank=True)
    post = models.CharField("岗位", max_length=60, blank=True)
    skill_level = models.CharField("技能等级", max_length=2, choices=SkillLevel.choices, blank=True)
    hukou_type = models.CharField("户籍类型", max_length=8, choices=Hukou.choices, blank=True)
    is_migrant_worker = models.BooleanField("农民工", default=False)
    # The union of the person's active membership, or of the last one after leaving: the union
    # whose officers look after this person's file. Maintained only by members.services.
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="people", null=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # History rows are read by person and by date, never searched by value: no copies of the
    # name/blind-index indexes (each costs a random B-tree insert per imported row).
    history = HistoricalRecords(no_db_index=["name", "id_number_index", "mobile_index"])

    data_scope = ScopeSpec(paths=("organisation__path",), owner="user")

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_on(self, on: date | None = None) -> MembershipQuerySet:
        """The members of a date: ``on=None`` today's roster (status 在册); ``on=<date>`` the
        memberships running on that date (joined on or before it, not ended by it), so a figure for
        a past date does not change when members later transfer or leave. The one definition of
        "member on a date" for every count (registry, funds, programmes, assessment, dashboard)."""
        if on is None:
            return self.filter(status=Membership.Status.ACTIVE)
        return self.filter(Q(joined_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on)))


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        TRANSFERRED = "transferred", "已转出"
        LEFT = "left", "已退会"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name="工会", on_delete=models.PROTECT, related_name="memberships"
    )
    member_no = models.CharField("会员编号", max_length=32, unique=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField("入会日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    transferred_to = models.OneToOneField(
        "self",
        verbose_name="转入后的会籍",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_from",
    )

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    data_scope = ScopeSpec(paths=("organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "会籍"
        verbose_name_plural = "会籍"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="members_one_active_membership",
                violation_error_message="此人已是其他工会的在册会员",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True) | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="members_end_date_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="members_org_status"),
            # who joined in a period: the dashboard's 新入会 and its monthly trend (dashboard/figures.py)
            models.Index(fields=["joined_on", "organisation"], name="members_joined_on"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation} ({self.get_status_display()})"


class Honour(models.Model):
    class Title(models.TextChoices):
        MODEL_WORKER = "model_worker", "劳动模范"
        CRAFTSMAN = "craftsman", "顺义工匠"
        TECH_EXPERT = "tech_expert", "技术能手"
        MAY_DAY_MEDAL = "may_day_medal", "五一劳动奖章"
        ADVANCED_WORKER = "advanced_worker", "先进工作者"
        OTHER = "other", "其他荣誉"

    class Level(models.TextChoices):
        NATIONAL = "national", "全国"
        CITY = "city", "北京市"
        DISTRICT = "district", "顺义区"
        TOWN = "town", "镇街"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="honours")
    title = models.CharField("荣誉", max_length=24, choices=Title.choices)
    level = models.CharField("级别", max_length=12, choices=Level.choices)
    awarded_on = models.DateField("授予日期")
    awarded_by = models.CharField("授予单位", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("person__organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = "荣誉"
        indexes = [models.Index(fields=["title", "awarded_on"], name="members_honour_title")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_title_display()}（{self.awarded_on:%Y}）"


class ImportJob(models.Model):
    """One upload of a member workbook: validated first (preview), then written on confirmation.

    A job belongs to the user who uploaded it (only they see it); the rows it writes are checked
    against that user's scope when it validates and again when it commits.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        VALIDATING = "validating", "校验中"
        PREVIEW = "preview", "待确认"
        INVALID = "invalid", "有错误"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200)
    stored_path = models.CharField("存储路径", max_length=300)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField("进度说明", max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    counts = models.JSONField("统计", default=dict, blank=True)
    errors = models.JSONField("错误（前 500 条）", default=list, blank=True)
    notices = models.JSONField("提示（前 500 条）", default=list, blank=True)
    warnings = models.JSONField("文件提示", default=list, blank=True)
    report_path = models.CharField("错误报告", max_length=300, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "会员导入任务"
        verbose_name_plural = "会员导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.PREVIEW, self.Status.INVALID, self.Status.DONE, self.Status.FAILED)


# The versions of a person's file are scoped by the union that kept the file at the time, so an
# officer reads only the history made while the person belonged to one of their unions.
Person.history.model.data_scope = ScopeSpec(paths=("organisation__path",), owner="user")
