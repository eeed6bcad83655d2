"""Events held by unions: competitions, trainings and member activities, their registrations,
attendance and results, and the report a union makes of an event it held (reviewed by the union above).

An event counts anywhere (the joint-union subsidy, the district's figures) only once its report has
been reviewed by the union above the organiser (``State.REVIEWED``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from members.models import Honour, Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class Activity(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", "会员活动"
        TRAINING = "training", "职工培训"
        COMPETITION = "competition", "技能竞赛"
        CULTURE = "culture", "文体活动"
        CARE = "care", "关爱帮扶"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        PLANNED = "planned", "筹备/报名"
        REPORTED = "reported", "已报送待审核"
        RETURNED = "returned", "退回补正"
        REVIEWED = "reviewed", "审核通过"

    organisation = models.ForeignKey(
        Organisation, verbose_name="举办工会", on_delete=models.PROTECT, related_name="activities"
    )
    co_organisers = models.ManyToManyField(
        Organisation, verbose_name="协办单位", blank=True, related_name="co_organised_activities"
    )
    title = models.CharField("活动名称", max_length=120)
    kind = models.CharField("活动类型", max_length=16, choices=Kind.choices, default=Kind.MEMBER)
    skill = models.CharField("工种/项目", max_length=60, blank=True)
    place = models.CharField("地点", max_length=120, blank=True)
    held_on = models.DateField("举办日期", db_index=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    capacity = models.PositiveIntegerField("名额", null=True, blank=True, help_text="空为不限")
    registration_opens = models.DateField("报名开始", null=True, blank=True)
    registration_closes = models.DateField("报名截止", null=True, blank=True)
    # Members of this organisation's subtree may take part (the organiser's own subtree by default).
    eligible_org = models.ForeignKey(
        Organisation,
        verbose_name="参加范围",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    participants = models.PositiveIntegerField("参加人数", default=0)
    state = FSMField("状态", default=State.PLANNED, choices=State.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        indexes = [
            models.Index(fields=["organisation", "held_on"], name="activities_org_held"),
            models.Index(fields=["state", "held_on"], name="activities_state_held"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("held_on")),
                name="activities_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"

    @property
    def is_competition(self) -> bool:
        return self.kind == self.Kind.COMPETITION

    # Transitions only through activities.services (which check scope and facts first).
    @transition(field=state, source=[State.PLANNED, State.RETURNED], target=State.REPORTED)
    def report(self) -> None:
        """The organiser reports the event as held."""

    @transition(field=state, source=State.REPORTED, target=State.REVIEWED)
    def approve(self) -> None:
        """The union above accepts the report: from now on the event counts."""

    @transition(field=state, source=State.REPORTED, target=State.RETURNED)
    def send_back(self) -> None:
        """The union above returns the report for correction."""


class Registration(models.Model):
    """One member's registration for an event: attendance, and for a competition score, rank, award."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "职工自助报名"
        OFFICE = "office", "工会代为报名"
        IMPORT = "import", "Excel 批量报名"

    class Award(models.TextChoices):
        FIRST = "first", "一等奖"
        SECOND = "second", "二等奖"
        THIRD = "third", "三等奖"
        EXCELLENCE = "excellence", "优秀奖"
        TECH_EXPERT = "tech_expert", "技术能手"

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(Person, verbose_name="职工", on_delete=models.PROTECT, related_name="registrations")
    channel = models.CharField("报名方式", max_length=8, choices=Channel.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报名操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("报名时间", auto_now_add=True)
    attended = models.BooleanField("到场", null=True, blank=True)
    score = models.DecimalField("成绩", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    award = models.CharField("奖项", max_length=12, choices=Award.choices, blank=True)
    honour = models.OneToOneField(
        Honour, verbose_name="荣誉记录", null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )

    data_scope = ScopeSpec(paths=("activity__organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="activities_one_registration_per_person")
        ]
        # covering the figures: attended rows of a set of events, and their persons, from the index alone
        indexes = [models.Index(fields=["activity", "attended", "person"], name="activities_reg_attended")]

    def __str__(self) -> str:
        return f"{self.person} · {self.activity}"


def _photo_path(instance: EventPhoto, filename: str) -> str:
    return f"activities/{instance.activity_id}/{filename}"


class EventPhoto(models.Model):
    """A photo of an event its organiser held, attached to the report (JPEG or PNG); served only
    through the scoped view, never from /media directly."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("照片", upload_to=_photo_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=20)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("activity__organisation__path",))

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


from activities.craftsmen import CraftsmanSelection, Nomination, NominationScore, Objection  # noqa: E402,F401
from activities.innovation import InnovationItem  # noqa: E402,F401
from activities.studios import Studio, StudioOutput  # noqa: E402,F401
