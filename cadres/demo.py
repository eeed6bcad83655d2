"""Demo step: union posts across the demo district (with a few vacancies, expiring terms and a town
whose chair is part-time without a full-time vice-chair), a finished and an ongoing recruitment of
social workers, and two training classes. Deterministic (seeded), idempotent (skips when present),
acting through the services as the district administrator."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cadres import services
from cadres.models import Attendance, Post, Recruitment, TrainingClass
from core.models import User
from orgs.demo import person_name
from orgs.models import Organisation

R = Post.Role
INTERVIEWERS = ("admin", "zuzhi", "quanyi", "jingji", "shenji")


def _posts(rng: random.Random, admin: User, today: date) -> int:
    unions = list(
        Organisation.objects.filter(
            code__startswith="SY", status="active",
            kind__in=[Organisation.Kind.DISTRICT, *Organisation.SUB_FEDERATION_KINDS, *Organisation.GRASSROOTS_KINDS],
        ).order_by("path")
    )  # fmt: skip
    made = 0
    for i, org in enumerate(unions):
        start = date(rng.choice([2022, 2023, 2024]), rng.choice([1, 4, 7, 10]), 1)
        end = date(start.year + 5, start.month, 1) - timedelta(days=1)
        if i % 23 == 5:  # a few terms run out within the coming 90 days
            start, end = today - timedelta(days=5 * 365 - 40), today + timedelta(days=rng.randint(10, 80))
        term = {"term_start": start, "term_end": end, "started_on": start}
        sub = org.kind in Organisation.SUB_FEDERATION_KINDS or org.kind == Organisation.Kind.DISTRICT
        part_time_town = org.kind == Organisation.Kind.TOWN and i % 7 == 3
        if i % 17 != 9:  # and a few unions have no chair at all
            chair = services.cadre_register(actor=admin, organisation=org, name=person_name(rng))
            services.post_start(
                actor=admin, organisation=org, cadre=chair, role=R.CHAIR, full_time=sub and not part_time_town,
                selection=Post.Selection.ELECTED, **term,
            )  # fmt: skip
            made += 1
        if sub and not part_time_town:
            vice = services.cadre_register(actor=admin, organisation=org, name=person_name(rng))
            services.post_start(
                actor=admin, organisation=org, cadre=vice, role=R.VICE_CHAIR, full_time=True,
                rank=Post.Rank.ZHENGKE, separate_quota=True, selection=Post.Selection.APPOINTED, **term,
            )  # fmt: skip
            made += 1
        roles = [R.AUDIT] if i % 11 != 4 else []
        roles += [R.WOMEN] if rng.random() < 0.5 else []
        roles += [R.COMMITTEE] if rng.random() < 0.6 else []
        for role in roles:
            who = services.cadre_register(actor=admin, organisation=org, name=person_name(rng))
            services.post_start(actor=admin, organisation=org, cadre=who, role=role, **term)
            made += 1
    return made


def _recruit(rng: random.Random, admin: User, org: Organisation, title: str, names: int, until: str) -> Recruitment:
    interviewers = list(User.objects.filter(username__in=INTERVIEWERS))
    r = services.recruitment_open(
        actor=admin, organisation=org, title=title, positions=2, opened_on=date(2025, 3, 1) if until == "hired" else
        timezone.localdate() - timedelta(days=40), interviewers=interviewers,
    )  # fmt: skip
    apps = [
        services.application_add(actor=admin, recruitment=r, name="李明" if k == 0 and until == "hired" else person_name(rng),
                                 mobile=f"139{rng.randint(10_000_000, 99_999_999)}")
        for k in range(names)
    ]  # fmt: skip
    services.applications_close(actor=admin, recruitment=r)
    for k, a in enumerate(apps):
        services.eligibility_review(
            actor=admin, application=a, eligible=k != 3, note="" if k != 3 else "年龄不符合要求"
        )
    services.written_test_start(actor=admin, recruitment=r)
    for k, a in enumerate(apps):
        if k != 3:
            services.written_score_record(actor=admin, application=a, score=Decimal(rng.randint(55, 95)) if k else 88)
    services.interview_start(actor=admin, recruitment=r)
    candidates = [a for a in r.applications.select_related("recruitment") if a.in_interview]
    for n, iv in enumerate(interviewers):
        for a in candidates:
            if until == "hired" or n < 3:  # the ongoing one: two interviewers still to score
                services.interview_score_submit(actor=iv, application=a, score=Decimal(rng.randint(70, 96)))
    if until == "hired":
        services.ranking_publish(actor=admin, recruitment=r)
        services.notice_publish(actor=admin, recruitment=r, starts_on=date(2025, 5, 6))
        services.hiring_confirm(actor=admin, recruitment=r, hired_on=date(2025, 5, 20))
    return r


def _workers(admin: User, r: Recruitment) -> int:
    """李明 (the demo's social-worker account) serves a union of 仁和镇 and so becomes its liaison."""
    shegong = User.objects.filter(username="shegong").first()
    workers = list(r.applications.filter(hired=True).order_by("rank"))
    done = 0
    for a in workers:
        worker = a.recruitment.organisation.social_workers.get(application=a)
        services.probation_conclude(actor=admin, worker=worker, passed=True)
        services.evaluation_record(actor=admin, worker=worker, year=2025, result="competent", score=Decimal("86"))
        if a.name == "李明" and shegong is not None:
            services.social_worker_update(actor=admin, worker=worker, user=shegong)
            for union in Organisation.objects.filter(code__startswith="SY-101-", status="active").order_by("path")[:12]:
                try:
                    with transaction.atomic():
                        services.assignment_start(actor=admin, worker=worker, organisation=union)
                    done += 1
                except ValidationError:
                    continue
                if done >= 2:
                    break
    return done


def _training(rng: random.Random, admin: User, root: Organisation, today: date) -> tuple[int, int]:
    spring = services.training_class_create(
        actor=admin, organisation=root, title=f"{today.year} 年基层工会主席集中调训班", mode=TrainingClass.Mode.CENTRAL,
        starts_on=date(today.year, 4, 14), ends_on=date(today.year, 4, 16), hours=Decimal("24"),
    )  # fmt: skip
    town = Organisation.objects.filter(code="SY-101").first() or root
    services.training_class_create(
        actor=admin, organisation=town, title=f"{town.name}基层工会干部轮训（第 1 批）", mode=TrainingClass.Mode.ROTATION,
        batch=1, starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=21), hours=Decimal("12"),
    )  # fmt: skip
    chairs = Post.objects.filter(
        role=R.CHAIR, ended_on__isnull=True, organisation__kind__in=Organisation.GRASSROOTS_KINDS,
        organisation__path__startswith=root.path,
    ).select_related("cadre", "cadre__organisation").order_by("pk")  # fmt: skip
    trained = 0
    for p in chairs:
        if rng.random() < 0.6:
            services.attendance_record(
                actor=admin, training_class=spring, cadre=p.cadre, status=Attendance.Status.COMPLETED,
                completed_on=spring.ends_on,
            )  # fmt: skip
            trained += 1
    return chairs.count(), trained


def build(options: dict[str, Any] | None = None, *, seed: int = 20260413) -> str:
    root = Organisation.objects.filter(code="SY").first()
    if root is None:
        return "干部与社工：未找到演示区，跳过"
    if Post.objects.filter(organisation__path__startswith=root.path).exists():
        return f"干部与社工：演示数据已存在（{Post.objects.count()} 条任职），跳过"
    rng = random.Random(seed)
    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    with transaction.atomic():
        posts = _posts(rng, admin, today)
        hired = _recruit(rng, admin, root, "2025 年专职工会社会工作者招聘", 6, "hired")
        _recruit(rng, admin, root, f"{today.year} 年专职工会社会工作者招聘（面试中）", 5, "interview")
        assigned = _workers(admin, hired)
        chairs, trained = _training(rng, admin, root, today)
    return (
        f"干部与社工：{posts} 条任职；2 次社工招聘（1 次已聘用、1 次面试中），{assigned} 个工会由社工联络；"
        f"培训班 2 个，{chairs} 名基层主席中 {trained} 名已参训"
    )
