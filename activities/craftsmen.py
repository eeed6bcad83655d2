"""The yearly selection of 顺义工匠 (Shunyi craftsmen), organised by the district federation.

A union nominates a member of its subtree with their deeds; reviewers score every nominee; the
combined score (``activities.ranking.combined_score``) ranks them; the best ``quota`` are published
for a public notice period (公示) during which objections are recorded — an upheld objection withdraws
the nominee; after the notice period the remaining nominees are awarded a dated district honour
(``members.Honour``, 顺义工匠, 顺义区) linked one-to-one to their nomination.

Models only; every change goes through ``activities.craftsmen_services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from members.models import Honour, Person
from orgs.models import Organisation
from orgs.roles import Perm, ScopeMode
from orgs.scopespec import ScopeSpec


def _open_call(grant: Any, perm: str) -> models.Q | None:
    """While nominations are open the year's call is announced to every union: any officer who may
    view organisations sees the selection (to nominate). Once closed, only the organiser's subtree
    (the district) sees it; the nominations inside are always scoped by the nominating union."""
    if perm == Perm.ORG_VIEW and grant.mode != ScopeMode.SELF:
        return models.Q(state="nominating")
    return None


class CraftsmanSelection(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        NOMINATING = "nominating", "推荐中"
        REVIEWING = "reviewing", "评审中"
        NOTICE = "notice", "公示中"
        AWARDED = "awarded", "已授予"

    year = models.PositiveSmallIntegerField("评选年度", unique=True)
    organiser = models.ForeignKey(
        Organisation, verbose_name="组织单位", on_delete=models.PROTECT, related_name="craftsman_selections"
    )
    quota = models.PositiveSmallIntegerField("评选名额")
    nominations_close = models.DateField("推荐截止日期")
    notice_starts = models.DateField("公示开始日期", null=True, blank=True)
    notice_ends = models.DateField("公示结束日期", null=True, blank=True)
    awarded_on = models.DateField("授予日期", null=True, blank=True)
    state = FSMField("状态", default=State.NOMINATING, choices=State.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    closed_at = models.DateTimeField("推荐截止操作时间", null=True, blank=True)
    published_at = models.DateTimeField("公示发布时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("organiser__path",), extra=_open_call)

    class Meta:
        verbose_name = "顺义工匠评选"
        verbose_name_plural = "顺义工匠评选"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notice_ends__isnull=True) | models.Q(notice_ends__gte=models.F("notice_starts")),
                name="activities_notice_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度顺义工匠评选"

    # Transitions only through activities.craftsmen_services (which check scope and facts first).
    @transition(field=state, source=State.NOMINATING, target=State.REVIEWING)
    def close_nominations(self) -> None:
        """Nominations close; reviewers score."""

    @transition(field=state, source=State.REVIEWING, target=State.NOTICE)
    def publish(self) -> None:
        """The shortlist is published for the public notice period."""

    @transition(field=state, source=State.NOTICE, target=State.AWARDED)
    def award(self) -> None:
        """After the notice period the shortlisted nominees are awarded."""


class Nomination(models.Model):
    class Outcome(models.TextChoices):
        NOMINATED = "nominated", "已推荐"
        SHORTLISTED = "shortlisted", "拟授予（公示）"
        NOT_SELECTED = "not_selected", "未入选"
        WITHDRAWN = "withdrawn", "异议成立撤销"
        AWARDED = "awarded", "已授予"

    selection = models.ForeignKey(
        CraftsmanSelection, verbose_name="评选", on_delete=models.PROTECT, related_name="nominations"
    )
    union = models.ForeignKey(
        Organisation, verbose_name="推荐工会", on_delete=models.PROTECT, related_name="craftsman_nominations"
    )
    person = models.ForeignKey(
        Person, verbose_name="被推荐人", on_delete=models.PROTECT, related_name="craftsman_nominations"
    )
    trade = models.CharField("工种/岗位", max_length=60)
    deeds = models.TextField("主要事迹", max_length=4000)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField("推荐时间", auto_now_add=True)
    combined_score = models.DecimalField("综合得分", max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, default=Outcome.NOMINATED, db_index=True)
    honour = models.OneToOneField(
        Honour,
        verbose_name="荣誉记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="craftsman_nomination",
    )

    data_scope = ScopeSpec(paths=("union__path",), owner="person__user")

    class Meta:
        verbose_name = "工匠推荐"
        verbose_name_plural = "工匠推荐"
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="activities_one_nomination_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.selection}"


class NominationScore(models.Model):
    """One reviewer's score (0–100) of one nominee."""

    nomination = models.ForeignKey(Nomination, verbose_name="推荐", on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评审人", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)
    scored_at = models.DateTimeField("评分时间", auto_now=True)

    data_scope = ScopeSpec(paths=("nomination__selection__organiser__path",))

    class Meta:
        verbose_name = "评审评分"
        verbose_name_plural = "评审评分"
        constraints = [
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="activities_one_score_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.score}"


class Objection(models.Model):
    """An objection received during the public notice period, and its finding."""

    class Finding(models.TextChoices):
        PENDING = "pending", "待核查"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    nomination = models.ForeignKey(Nomination, verbose_name="推荐", on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField("收到日期")
    objector = models.CharField("异议人/来源", max_length=60, help_text="可填匿名")
    content = models.TextField("异议内容", max_length=2000)
    finding = models.CharField("核查结论", max_length=12, choices=Finding.choices, default=Finding.PENDING)
    finding_note = models.CharField("核查说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("核查时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("nomination__selection__organiser__path",))

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"{self.nomination} · {self.get_finding_display()}"
