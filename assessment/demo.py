"""The demo district's assessment: the 2026 assessment of its joint unions, published, and a small
published assessment of its social workers (written to their 2026 evaluations).

``publish_joint_unions`` is called by the programmes demo before the joint-union subsidy's cycle (the
subsidy reads the published score bands); ``build`` (after the appeals demo) recomputes the year once
the appeals are in, leaving version 2 computed beside the published version 1, with the differences
listed — the published scores, and so the subsidy, do not move until version 2 is published.
"""

from __future__ import annotations

import random
from decimal import Decimal

from assessment import services
from assessment.models import AssesseeKind, Assessment, IndicatorSet
from assessment.testing import DEFAULT_BANDS, WORKER_BANDS
from core.models import User
from orgs.models import Organisation

SEED = 14
YEAR = 2026
A = services.IndicatorSpec
INDICATORS = [
    A("组织会员人数", "15", "auto", "members_organised", floor="0", target="150"),
    A("会员增长率", "10", "auto", "members_growth", floor="0", target="10"),
    A("开展活动次数", "20", "auto", "activities_held", floor="0", target="8"),
    A("诉求响应率", "10", "auto", "appeals_response", floor="60", target="100"),
    A("诉求解决率", "10", "auto", "appeals_resolution", floor="50", target="100"),
    A("诉求满意率", "10", "auto", "appeals_satisfaction", floor="60", target="100"),
    A("规范化建设（组织机构、制度、阵地）", "25"),
]


WORKER_INDICATORS = [
    A("诉求响应率", "20", "auto", "appeals_response", floor="60", target="100"),
    A("诉求解决率", "20", "auto", "appeals_resolution", floor="50", target="100"),
    A("诉求满意率", "15", "auto", "appeals_satisfaction", floor="60", target="100"),
    A("处理诉求件数", "10", "auto", "appeals_handled", floor="0", target="10"),
    A("参加培训次数", "5", "auto", "trainings_attended", floor="0", target="1"),
    A("服务对象评价（回访、服务台账）", "30"),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def joint_set(root: Organisation) -> IndicatorSet | None:
    return IndicatorSet.objects.filter(organisation=root, year=YEAR, assessee_kind=AssesseeKind.JOINT).first()


def publish_joint_unions(root: Organisation) -> Assessment | None:
    """Set up, score (two named reviewers), compute, review and publish the joint unions' 2026
    assessment, once."""
    zuzhi, shenji, admin = _user("zuzhi"), _user("shenji"), _user("admin")
    if joint_set(root) is not None or None in (zuzhi, shenji, admin):
        return None
    rng = random.Random(SEED)
    indicator_set = services.indicator_set_create(
        actor=zuzhi,
        organisation=root,
        year=YEAR,
        assessee_kind=AssesseeKind.JOINT,
        name="2026 年度工会联合会绩效考核",
        indicators=INDICATORS,
        grade_bands=DEFAULT_BANDS,
        pass_score="60",
        manual_rule=IndicatorSet.ManualRule.MEAN,
        reviewers=[zuzhi, shenji],
    )
    manual = indicator_set.indicators.get(source="manual")
    for org in services.assessees_of(indicator_set).order_by("path"):
        base = rng.randint(60, 95)
        for reviewer in (zuzhi, shenji):
            services.manual_score_record(
                actor=reviewer,
                indicator=manual,
                organisation=org,
                score=Decimal(min(100, base + rng.randint(-5, 5))),
                evidence="现场检查：组织机构健全、制度上墙、职工之家阵地开放",
            )
    version = services.assessment_compute(actor=zuzhi, indicator_set=indicator_set, note="年度考核")
    services.assessment_review(actor=admin, assessment=version)
    return services.assessment_publish(actor=admin, assessment=version)


def publish_social_workers(root: Organisation) -> Assessment | None:
    """The district's 2026 assessment of its social workers (after the cadres and appeals demos):
    scored by 刘建国 and 陈静, computed by zuzhi, published by admin — which writes each worker's 2026
    evaluation (考评系统). Once."""
    zuzhi, shenji, admin = _user("zuzhi"), _user("shenji"), _user("admin")
    exists = IndicatorSet.objects.filter(organisation=root, year=YEAR, assessee_kind=AssesseeKind.SOCIAL_WORKER)
    if exists.exists() or None in (zuzhi, shenji, admin):
        return None
    indicator_set = services.indicator_set_create(
        actor=zuzhi,
        organisation=root,
        year=YEAR,
        assessee_kind=AssesseeKind.SOCIAL_WORKER,
        name="2026 年度工会社会工作者考核",
        indicators=WORKER_INDICATORS,
        grade_bands=WORKER_BANDS,
        reviewers=[zuzhi, shenji],
    )
    workers = list(services.workers_of(indicator_set).order_by("pk"))
    if not workers:
        return None
    manual = indicator_set.indicators.get(source="manual")
    for n, worker in enumerate(workers):
        for reviewer, mark in ((zuzhi, 88 - 6 * n), (shenji, 92 - 6 * n)):
            services.manual_score_record(
                actor=reviewer,
                indicator=manual,
                social_worker=worker,
                score=Decimal(mark),
                evidence="服务对象回访满意，服务台账完整",
            )
    version = services.assessment_compute(actor=zuzhi, indicator_set=indicator_set, note="年度社工考核")
    services.assessment_review(actor=admin, assessment=version)
    return services.assessment_publish(actor=admin, assessment=version)


def build(options: dict) -> str:
    root = Organisation.objects.get(depth=1, code="SY")
    publish_joint_unions(root)  # normally done by the programmes step already
    workers = publish_social_workers(root)
    indicator_set = joint_set(root)
    if indicator_set is None:
        return "绩效考核：缺少演示账号，未生成"
    if indicator_set.assessments.count() == 1:
        services.assessment_compute(
            actor=_user("zuzhi"), indicator_set=indicator_set, note="诉求数据录入后重新计算（待审核，未发布）"
        )
    published = indicator_set.assessments.get(state=Assessment.State.PUBLISHED)
    latest = indicator_set.assessments.order_by("-version").first()
    return (
        f"绩效考核：{indicator_set.name} 已发布第 {published.version} 版（{published.assessees} 个联合会），"
        f"第 {latest.version} 版重新计算待审核（{len(latest.differences)} 个结果不同）"
        + (f"；社工考核已发布（{workers.assessees} 名，写入年度评价）" if workers else "")
    )
