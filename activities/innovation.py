"""普惠制服务项目: 合理化建议, 技术革新 and the "五小" items (小发明/小创造/小革新/小设计/小建议) a member
or a unit submits, graded by the union above, and rewarded through the programme engine.

Models only; changes go through ``activities.innovation_services``; the reward is the plug-in in
``activities.innovation_reward``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from core.money import MoneyField
from members.models import Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class InnovationItem(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", "合理化建议"
        RENOVATION = "renovation", "技术革新"
        INVENTION = "invention", "小发明"
        CREATION = "creation", "小创造"
        IMPROVEMENT = "improvement", "小革新"
        DESIGN = "design", "小设计"
        PROPOSAL = "proposal", "小建议"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待评审"
        GRADED = "graded", "已评审"

    class Grade(models.TextChoices):
        FIRST = "first", "一等"
        SECOND = "second", "二等"
        THIRD = "third", "三等"
        NONE = "none", "不予奖励"

    class Channel(models.TextChoices):
        OFFICE = "office", "工会代为申报"
        PORTAL = "portal", "职工自行申报"

    # "CX2026-0007": also the period key of the item's reward cycle (one cycle per rewarded item).
    number = models.CharField("编号", max_length=20, unique=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    title = models.CharField("项目名称", max_length=120)
    content = models.TextField("主要内容")
    benefit = models.CharField("预期效益", max_length=200, blank=True)
    # The submitting union: the member's union for a member's item, the unit itself for a unit's item.
    union = models.ForeignKey(
        Organisation, verbose_name="申报单位", on_delete=models.PROTECT, related_name="innovation_items"
    )
    # Empty for a unit's item (the union is then the beneficiary).
    person = models.ForeignKey(
        Person,
        verbose_name="申报职工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="innovation_items",
    )
    channel = models.CharField("申报方式", max_length=8, choices=Channel.choices, default=Channel.OFFICE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("申报时间", auto_now_add=True)
    state = FSMField("状态", default=State.SUBMITTED, choices=State.choices, protected=True, db_index=True)
    grade = models.CharField("评审等级", max_length=8, choices=Grade.choices, blank=True)
    opinion = models.CharField("评审意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评审人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("评审时间", null=True, blank=True)
    amount = MoneyField("奖励金额", default=0)
    amount_explanation = models.CharField("金额依据", max_length=300, blank=True)
    # The funds cycle that pays the reward (the programme engine: prepared by the system, approved by finance).
    cycle = models.OneToOneField(
        "funds.Cycle", verbose_name="发放周期", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    data_scope = ScopeSpec(paths=("union__path",), owner="person__user")

    class Meta:
        verbose_name = "创新项目"
        verbose_name_plural = "创新项目"
        indexes = [models.Index(fields=["year", "state", "grade"], name="activities_innovation_counts")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="activities_innovation_amount_nonnegative")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_unit_item(self) -> bool:
        return self.person_id is None

    @property
    def applicant(self) -> str:
        return self.person.name if self.person_id else self.union.name

    @property
    def reward_status(self) -> str:
        """待审批发放 while its cycle is open; once finance approved it, where the money is (the bank's
        answer: 已审批待银行支付, 已发送银行, 已支付, 银行退回…); — without a reward."""
        if self.cycle_id is None:
            return "—"
        if self.cycle.state != "paid":
            return "待审批发放"
        from funds.bank_selectors import bank_status_label, cycle_bank_status

        return bank_status_label(*cycle_bank_status(self))

    @transition(field=state, source=State.SUBMITTED, target=State.GRADED)
    def grade_it(self) -> None:
        pass
