"""Member activities held by a union (the minimal model the joint-union subsidy counts; grows later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class Activity(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", "会员活动"
        TRAINING = "training", "职工培训"
        COMPETITION = "competition", "技能竞赛"
        CULTURE = "culture", "文体活动"
        CARE = "care", "关爱帮扶"
        OTHER = "other", "其他"

    organisation = models.ForeignKey(
        Organisation, verbose_name="举办工会", on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField("活动名称", max_length=120)
    kind = models.CharField("活动类型", max_length=16, choices=Kind.choices, default=Kind.MEMBER)
    held_on = models.DateField("举办日期", db_index=True)
    participants = models.PositiveIntegerField("参加人数", default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        indexes = [models.Index(fields=["organisation", "held_on"], name="activities_org_held")]

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"
