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


def training_class(district: Any, org: Organisation, title: str, starts: date, ends: date, **extra: Any) -> TrainingClass:
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
