"""Cadres rows for tests, made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from cadres import services
from cadres.models import Cadre, Post, SocialWorker, TrainingClass
from conftest import make_user
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import role_grant

TERM = {"term_start": date(2024, 1, 1), "term_end": date(2028, 12, 31)}


def cadre(district: Any, org: Organisation, name: str, *, user: Any = None) -> Cadre:
    return services.cadre_register(actor=district.user("admin"), organisation=org, name=name, user=user)


def post(district: Any, org: Organisation, who: Cadre, role: str = Post.Role.CHAIR, **extra: Any) -> Post:
    data = {**TERM, "started_on": date(2024, 1, 1), **extra}
    return services.post_start(actor=district.user("admin"), organisation=org, cadre=who, role=role, **data)


def social_worker(district: Any, town: Organisation, name: str = "社工甲", *, username: str = "") -> SocialWorker:
    """A hired social worker of ``town`` (through a one-person recruitment), with an account holding
    the social-worker role over the town when ``username`` is given."""
    from cadres.tests.test_recruitment import run_recruitment

    workers = run_recruitment(district, town, [name])
    worker = workers[0]
    if username:
        user = make_user(username)
        role_grant(actor=None, user=user, role=Role.SOCIAL_WORKER, organisation=town)
        worker = services.social_worker_update(actor=district.user("admin"), worker=worker, user=user)
    return worker


def training_class(
    district: Any, org: Organisation, title: str, starts: date, ends: date, **extra: Any
) -> TrainingClass:
    return services.training_class_create(
        actor=district.user("admin"),
        organisation=org,
        title=title,
        mode=extra.pop("mode", TrainingClass.Mode.CENTRAL),
        starts_on=starts,
        ends_on=ends,
        hours=extra.pop("hours", Decimal("16")),
        **extra,
    )


def side(district: Any, a: bool, tag: str) -> dict[str, Any]:
    """One of each cadres row under town A (``a``) or town B, named with ``tag`` so a page shows it."""
    from cadres.models import Attendance, Evaluation

    union = district.union_a if a else district.union_b
    town = district.town_a if a else district.town_b
    admin = district.user("admin")
    who = cadre(district, union, f"{tag}干部")
    chair = post(district, union, who, Post.Role.CHAIR)
    worker = social_worker(district, town, f"{tag}社工", username=f"sw_{'a' if a else 'b'}_{Post.objects.count()}")
    services.probation_conclude(actor=admin, worker=worker, passed=True)
    assignment = services.assignment_start(actor=admin, worker=worker, organisation=union, started_on=date(2026, 5, 1))
    evaluation = services.evaluation_record(actor=admin, worker=worker, year=2026, result=Evaluation.Result.COMPETENT)
    klass = training_class(district, town, f"{tag}培训班", date(2026, 3, 1), date(2026, 3, 2))
    attendance = services.attendance_record(
        actor=admin, training_class=klass, cadre=who, status=Attendance.Status.COMPLETED, completed_on=date(2026, 3, 2)
    )
    recruitment = worker.application.recruitment
    grade = services.pay_grade_define(
        actor=admin,
        organisation=town,
        code=f"G{tag}",
        name=f"{tag}一级",
        monthly_pay=Decimal("6000"),
        valid_from=date(2026, 1, 1),
    )
    return {
        "cadre": who,
        "post": chair,
        "social_worker": worker,
        "assignment": assignment,
        "evaluation": evaluation,
        "training_class": klass,
        "attendance": attendance,
        "recruitment": recruitment,
        "application": worker.application,
        "interview_score": worker.application.scores.first(),
        "pay_grade": grade,
    }
