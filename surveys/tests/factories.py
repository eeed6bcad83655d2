"""Surveys for tests, built through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from conftest import make_user
from members.models import Membership
from members.tests.factories import member
from orgs.models import Organisation
from orgs.roles import Role, ScopeMode
from orgs.services import role_grant
from surveys import services
from surveys.models import Question, Survey

K = Question.Kind


def workers(union: Organisation, count: int, prefix: str) -> list[Any]:
    """``count`` members of ``union``, each with a portal account (a worker's own-records grant)."""
    users = []
    for i in range(count):
        m: Membership = member(union, name=f"{prefix}{i}")
        user = make_user(f"{prefix}_{union.pk}_{i}")
        role_grant(actor=None, user=user, role=Role.WORKER, organisation=union, scope=ScopeMode.SELF)
        m.person.user = user
        m.person.save(update_fields=["user"])
        users.append(user)
    return users


def satisfaction_survey(
    district: Any,
    *,
    organisation: Organisation | None = None,
    anonymous: bool = False,
    title: str = "职工满意度调查",
    actor_key: str = "town_b",
    send: bool = True,
    **create: Any,
) -> Survey:
    """A survey of the usual shape: a single choice, a scale, a conditional text, a number, a
    multiple choice. Question 3 shows only when question 1 is answered 否."""
    organisation = organisation or district.union_b
    actor = district.user(actor_key)
    survey = services.survey_create(
        actor=actor,
        organisation=organisation,
        title=title,
        closes_on=timezone.localdate() + timedelta(days=30),
        anonymous=anonymous,
        **create,
    )
    q1 = services.question_add(
        actor=actor, survey=survey, kind=K.SINGLE, text="您是否签订了劳动合同", options=["是", "否"]
    )
    services.question_add(actor=actor, survey=survey, kind=K.SCALE, text="您对本单位工会工作的满意程度")
    services.question_add(
        actor=actor,
        survey=survey,
        kind=K.TEXT,
        text="未签订的原因",
        condition_on=q1,
        condition_values=["否"],
    )
    services.question_add(actor=actor, survey=survey, kind=K.NUMBER, text="您每周加班多少小时", required=False)
    services.question_add(
        actor=actor,
        survey=survey,
        kind=K.MULTIPLE,
        text="您希望工会提供哪些服务",
        options=["法律援助", "技能培训", "文体活动", "困难帮扶"],
        required=False,
    )
    if send:
        services.survey_send(actor=actor, survey=survey, seed=20170101)
    return Survey.objects.get(pk=survey.pk)  # the services changed a fresh copy


def answer(
    survey: Survey, user: Any, *, contract: str = "是", score: int = 4, reason: str = "", hours: str = ""
) -> None:
    """``user`` answers ``survey`` (the shape of ``satisfaction_survey``) through the service."""
    q = {x.position: x.pk for x in survey.questions.all()}
    raw = {q[1]: [contract], q[2]: [str(score)], q[3]: [reason] if reason else [], q[4]: [hours] if hours else []}
    services.response_submit(actor=user, survey=survey, raw=raw)
