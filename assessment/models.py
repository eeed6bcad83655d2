"""Performance assessment (绩效考核): indicator sets, versions of a year's results, manual scores.

A year's assessment of one kind of assessee is an ``IndicatorSet`` (indicators with weights, score
ranges and sources). Each computation is an ``Assessment`` version holding every assessee's
``AssessmentResult`` (values, scores and the drill-down row ids, stored), so a published version never
changes when the data behind it does; a recomputation is version n+1 with the differences listed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django_fsm import FSMField, FSMModelMixin, transition

from cadres.models import Assignment, Evaluation, SocialWorker
from orgs.models import Organisation
from orgs.scope import subtree_q
from orgs.scopespec import ScopeSpec

K = Organisation.Kind


class AssesseeKind(models.TextChoices):
    SUB_FEDERATION = "sub_federation", "镇（街道、功能区、系统）工会"
    GRASSROOTS = "grassroots", "基层工会"
    JOINT = "joint", "工会联合会（联合工会）"
    SOCIAL_WORKER = "social_worker", "工会社会工作者"


# Which organisations each kind of assessee is. Social workers are persons (``cadres.SocialWorker``),
# not organisations: their results and manual scores carry the worker beside their employer.
ASSESSEE_ORG_KINDS: dict[str, frozenset[str]] = {
    AssesseeKind.SUB_FEDERATION: frozenset(Organisation.SUB_FEDERATION_KINDS),
    AssesseeKind.GRASSROOTS: frozenset({K.ENTERPRISE, K.INSTITUTION, K.OTHER}),
    AssesseeKind.JOINT: frozenset(Organisation.JOINT_UNION_KINDS),
}
ORG_ASSESSEE_KINDS = frozenset(ASSESSEE_ORG_KINDS)
PERSON_KINDS = frozenset({AssesseeKind.SOCIAL_WORKER})
ALL_ASSESSEE_KINDS = frozenset(AssesseeKind.values)


class IndicatorSet(models.Model):
    """指标体系: one year's indicators for one kind of assessee, run by one organisation."""

    class ManualRule(models.TextChoices):
        MEAN = "mean", "取各评分人平均分"
        MEDIAN = "median", "取各评分人中位数"
        MIN = "min", "取各评分人最低分"

    organisation = models.ForeignKey(
        Organisation, verbose_name="考核单位", on_delete=models.PROTECT, related_name="indicator_sets"
    )
    year = models.PositiveSmallIntegerField("年度")
    assessee_kind = models.CharField("考核对象", max_length=20, choices=AssesseeKind.choices)
    name = models.CharField("名称", max_length=120)
    manual_rule = models.CharField("多人评分规则", max_length=8, choices=ManualRule.choices, default=ManualRule.MEAN)
    pass_score = models.DecimalField("合格分数线", max_digits=5, decimal_places=2, default=Decimal("60"))
    # [{"min_score": "90", "grade": "优秀"}, ...], highest first (validated by the service).
    grade_bands = models.JSONField("等次分档", default=list)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="评分人", blank=True, related_name="assessment_sets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "考核指标体系"
        verbose_name_plural = "考核指标体系"
        ordering = ["-year", "organisation__path", "assessee_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "assessee_kind"],
                name="assessment_one_set_per_kind_year",
                violation_error_message="该单位本年度已有此类考核对象的指标体系",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 年 {self.name}"

    @property
    def org_kinds(self) -> frozenset[str]:
        return ASSESSEE_ORG_KINDS.get(self.assessee_kind, frozenset())

    @property
    def of_persons(self) -> bool:
        return self.assessee_kind in PERSON_KINDS


class Indicator(models.Model):
    """One indicator: its weight (points of 100), its score range and where its score comes from.

    Automatic: the registered function's value maps to a score linearly — at or below ``floor`` the
    range's minimum, at or above ``target`` its maximum. Manual: the named reviewers' scores, combined
    by the set's rule. Weighted points = weight × (score − min) / (max − min).
    """

    class Source(models.TextChoices):
        AUTO = "auto", "自动计算"
        MANUAL = "manual", "人工评分"

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name="指标体系", on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    key = models.CharField("指标函数", max_length=40, blank=True, help_text="自动指标：登记的指标函数")
    label = models.CharField("指标名称", max_length=80)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=2)
    score_min = models.DecimalField("分值下限", max_digits=7, decimal_places=2, default=Decimal("0"))
    score_max = models.DecimalField("分值上限", max_digits=7, decimal_places=2, default=Decimal("100"))
    floor = models.DecimalField("起评值", max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("满分值", max_digits=14, decimal_places=2, null=True, blank=True)

    data_scope = ScopeSpec(paths=("indicator_set__organisation__path",))

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["indicator_set", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="assessment_weight_0_100"),
            models.CheckConstraint(condition=Q(score_max__gt=models.F("score_min")), name="assessment_range_order"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.weight} 分）"


class Assessment(FSMModelMixin, models.Model):
    """One computed version of a set's results; published versions are frozen."""

    class State(models.TextChoices):
        COMPUTED = "computed", "已计算"
        REVIEWED = "reviewed", "已审核"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已被新版本取代"

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name="指标体系", on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.PositiveIntegerField("版本")
    state = FSMField("状态", default=State.COMPUTED, choices=State.choices, protected=True)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    # The indicators as they were when computed (label, weight, range, mapping): the frozen rule.
    indicators = models.JSONField("指标快照", default=list)
    assessees = models.PositiveIntegerField("考核对象数", default=0)
    # Versus the version it replaces: [{"organisation": id, "name": ..., "before": ..., "after": ...,
    # "lines": {key: [before, after]}}]; empty for version 1.
    differences = models.JSONField("与上一版本差异", default=list, blank=True)
    compared_to = models.ForeignKey(
        "self", verbose_name="对比版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="计算人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("indicator_set__organisation__path",))

    class Meta:
        verbose_name = "考核结果版本"
        verbose_name_plural = "考核结果版本"
        ordering = ["indicator_set", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "version"],
                name="assessment_one_version_number",
                violation_error_message="版本号重复",
            ),
            models.UniqueConstraint(
                fields=["indicator_set"],
                condition=Q(state="published"),
                name="assessment_one_published_per_set",
                violation_error_message="每个指标体系同时只能有一个已发布版本",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set} 第 {self.version} 版"

    # Transitions: called only from assessment.services, which asks can_proceed first.
    @transition(field=state, source=State.COMPUTED, target=State.REVIEWED)
    def review(self) -> None: ...

    @transition(field=state, source=State.REVIEWED, target=State.COMPUTED)
    def reopen(self) -> None: ...

    @transition(field=state, source=State.REVIEWED, target=State.PUBLISHED)
    def publish(self) -> None: ...

    @transition(field=state, source=[State.COMPUTED, State.REVIEWED, State.PUBLISHED], target=State.SUPERSEDED)
    def supersede(self) -> None: ...


class LinesField(models.JSONField):
    """A JSONField bulk-inserted row by row placeholder: PostgreSQL's UNNEST bulk insert (Django 5.2)
    escapes every JSON string as an array element — 40 s of regex for 20,000 results' lines; a field
    with ``get_placeholder`` takes the plain ``VALUES`` path instead (2 s)."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


def _assigned_in_grant(grant: object, perm: str) -> Q | None:
    """A social worker's result is seen by the officers of the unions the worker served in the
    assessment's year (a town officer sees the workers assigned in its subtree), though the worker's
    employer — the result's ``organisation`` — is above them."""
    mode, path = getattr(grant, "mode", ""), getattr(grant, "path", "")
    if mode == "subtree":
        where = subtree_q("organisation__path", path)
    elif mode == "org":
        where = Q(organisation__path=path)
    else:
        return None
    year = OuterRef("assessment__indicator_set__year")
    served = Assignment.objects.filter(social_worker=OuterRef("social_worker"), started_on__year__lte=year).filter(
        Q(ended_on__isnull=True) | Q(ended_on__year__gte=year), where
    )
    return Q(social_worker__isnull=False) & Q(Exists(served))


class AssessmentResult(models.Model):
    """One assessee's frozen result in one version: total, rank within the kind, grade, and per
    indicator the value, score, points and the ids of the rows behind it. For a social worker
    (``social_worker`` set) ``organisation`` is the worker's employer (聘用单位)."""

    assessment = models.ForeignKey(Assessment, verbose_name="版本", on_delete=models.CASCADE, related_name="results")
    organisation = models.ForeignKey(
        Organisation, verbose_name="被考核工会", on_delete=models.PROTECT, related_name="assessment_results"
    )
    social_worker = models.ForeignKey(
        SocialWorker,
        verbose_name="被考核社工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_results",
    )
    total = models.DecimalField("总分", max_digits=5, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    grade = models.CharField("等次", max_length=20, blank=True)
    passed = models.BooleanField("合格", default=False)
    # {indicator position: {"value": str|None, "score": str|None, "points": str, "rows": [ids], "note": str}}
    lines = LinesField("分项", default=dict)

    data_scope = ScopeSpec(paths=("organisation__path",), extra=_assigned_in_grant)

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["assessment", "rank", "organisation__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "organisation"],
                condition=Q(social_worker__isnull=True),
                name="assessment_one_result_per_org",
                violation_error_message="重复的考核结果",
            ),
            models.UniqueConstraint(
                fields=["assessment", "social_worker"],
                condition=Q(social_worker__isnull=False),
                name="assessment_one_result_per_worker",
                violation_error_message="重复的考核结果",
            ),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(total__lte=100), name="assessment_total_0_100"),
        ]
        indexes = [models.Index(fields=["organisation", "assessment"], name="assessment_result_org")]

    def __str__(self) -> str:
        return f"{self.assessee_name} {self.total} 分"

    @property
    def assessee_name(self) -> str:
        return self.social_worker.name if self.social_worker_id else self.organisation.name


class ManualScore(models.Model):
    """A named reviewer's score of one assessee on one manual indicator, with its evidence."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="manual_scores"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="被考核工会", on_delete=models.PROTECT, related_name="manual_scores"
    )
    # A social worker scored (their employer in ``organisation``).
    social_worker = models.ForeignKey(
        SocialWorker, verbose_name="被考核社工", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评分人", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("评分", max_digits=7, decimal_places=2)
    evidence = models.TextField("评分依据")
    scored_at = models.DateTimeField("评分时间", auto_now=True)

    data_scope = ScopeSpec(paths=("organisation__path", "indicator__indicator_set__organisation__path"))

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"
        ordering = ["indicator", "organisation__path", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organisation", "reviewer"],
                condition=Q(social_worker__isnull=True),
                name="assessment_one_score_per_reviewer",
                violation_error_message="该评分人已对此工会此指标评分",
            ),
            models.UniqueConstraint(
                fields=["indicator", "social_worker", "reviewer"],
                condition=Q(social_worker__isnull=False),
                name="assessment_one_worker_score_per_reviewer",
                violation_error_message="该评分人已对此社工此指标评分",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.label} {self.social_worker or self.organisation} {self.score}"


class AssessmentEvent(models.Model):
    """The audit trail of an assessment: every computation, review, publication and recomputation."""

    class Kind(models.TextChoices):
        COMPUTE = "compute", "计算"
        RECOMPUTE = "recompute", "重新计算（新版本）"
        REVIEW = "review", "审核"
        REOPEN = "reopen", "退回重审"
        PUBLISH = "publish", "发布"
        SUPERSEDE = "supersede", "被新版本取代"
        MIGRATE = "migrate", "由原考评记录迁移"

    assessment = models.ForeignKey(Assessment, verbose_name="版本", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("操作", max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    summary = models.CharField("摘要", max_length=300)

    data_scope = ScopeSpec(paths=("assessment__indicator_set__organisation__path",))

    class Meta:
        verbose_name = "考核操作记录"
        verbose_name_plural = "考核操作记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary}"


class EvaluationWrite(models.Model):
    """The history of what a published social-worker assessment wrote to a worker's yearly evaluation
    (``cadres.Evaluation``, one per worker and year): each publication of a version writes its result
    there, and the row keeps what the evaluation said before (a reviewer's entry or the previous
    version's result), so nothing is replaced silently."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="发布版本", on_delete=models.PROTECT, related_name="evaluation_writes"
    )
    result = models.ForeignKey(
        AssessmentResult, verbose_name="考核结果", on_delete=models.PROTECT, related_name="evaluation_writes"
    )
    evaluation = models.ForeignKey(Evaluation, verbose_name="年度评价", on_delete=models.PROTECT, related_name="+")
    # {"result": label, "score": str|None, "source": label, "recorded_by": str, "recorded_at": iso, "note": str}
    before = models.JSONField("写入前", null=True, blank=True)
    written_at = models.DateTimeField("写入时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("result__organisation__path",))

    class Meta:
        verbose_name = "社工年度评价写入记录"
        verbose_name_plural = "社工年度评价写入记录"
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.result} → {self.evaluation}"
