"""Demo step: 后沙峪镇西泗上村联合会's anonymous members' survey, answered by the demo accounts of a
dozen of its members and closed (results shown), and an open survey of 沙坨村 waiting for the demo
worker ``zhigong`` in the portal. Through the services; deterministic and idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import User
from members.models import Person
from orgs.demo import DEMO_PASSWORD
from orgs.models import Organisation
from orgs.roles import Role, ScopeMode
from orgs.services import role_grant
from surveys import services
from surveys.models import MIN_GROUP, Question, Survey

SEED = 20171010
XISISHANG = "后沙峪镇西泗上村联合会"
TITLE = "西泗上村联合会职工问卷调查"
K = Question.Kind
SERVICES = ["法律援助", "技能培训", "文体活动", "困难帮扶", "心理咨询"]


def _questions(actor: User, survey: Survey) -> dict[int, Question]:
    q1 = services.question_add(
        actor=actor, survey=survey, kind=K.SINGLE, text="您是否与单位签订了劳动合同", options=["是", "否"]
    )
    q2 = services.question_add(actor=actor, survey=survey, kind=K.SCALE, text="您对村工会联合会工作的总体满意程度")
    q3 = services.question_add(
        actor=actor, survey=survey, kind=K.TEXT, text="未签订劳动合同的原因", condition_on=q1, condition_values=["否"]
    )
    q4 = services.question_add(
        actor=actor, survey=survey, kind=K.MULTIPLE, text="您最希望工会提供哪些服务（可多选）", options=SERVICES
    )
    q5 = services.question_add(
        actor=actor, survey=survey, kind=K.NUMBER, text="今年您参加了几次工会活动", required=False
    )
    q6 = services.question_add(actor=actor, survey=survey, kind=K.TEXT, text="对工会工作的意见和建议", required=False)
    return {1: q1, 2: q2, 3: q3, 4: q4, 5: q5, 6: q6}


def _member_accounts(union: Organisation, count: int) -> list[User]:
    """Portal accounts for ``count`` members of the union (xsc01…), linked to their records."""
    users = []
    people = Person.objects.filter(organisation=union, user__isnull=True, memberships__status="active").order_by("pk")
    for i, person in enumerate(people[:count], start=1):
        user = User.objects.filter(username=f"xsc{i:02d}").first()
        if user is None:
            user = User(username=f"xsc{i:02d}", display_name=f"职工 {person.name}")
            user.set_password(DEMO_PASSWORD)
            user.save()
            role_grant(actor=None, user=user, role=Role.WORKER, organisation=union, scope=ScopeMode.SELF)
        person.user = user
        person.save(update_fields=["user"])
        users.append(user)
    return users


def build(options: dict[str, Any] | None = None) -> str:
    union = Organisation.objects.filter(name=XISISHANG).first()
    shatuo = Organisation.objects.filter(code="SY-101-001").first()
    if union is None or shatuo is None:
        return "问卷调查：未找到西泗上村联合会，跳过"
    if Survey.objects.filter(title=TITLE).exists():
        return "问卷调查：演示问卷已存在，跳过"
    rng = random.Random(SEED)
    officer = User.objects.get(username="houshayu")
    closes = timezone.localdate() + timedelta(days=30)
    if Person.objects.filter(organisation=union, user__isnull=True, memberships__status="active").count() <= MIN_GROUP:
        return f"问卷调查：{XISISHANG}在册会员不足 {MIN_GROUP + 1} 人（演示会员人数太少），跳过"
    with transaction.atomic():
        respondents = _member_accounts(union, 12)
        survey = services.survey_create(
            actor=officer,
            organisation=union,
            title=TITLE,
            intro="为了解职工对联合会经费保障试点的感受，开展本次匿名问卷调查，答卷不与个人关联。",
            anonymous=True,
            closes_on=closes,
        )
        q = _questions(officer, survey)
        services.survey_send(actor=officer, survey=survey, seed=SEED)
        answering = respondents[:-1]  # all but one: the rate is not 100%
        for user in answering:
            contract = rng.choices(["是", "否"], weights=[8, 2])[0]
            raw = {
                q[1].pk: [contract],
                q[2].pk: [str(rng.choices([5, 4, 3, 2], weights=[5, 4, 2, 1])[0])],
                q[3].pk: ["单位规模小，尚未签订"] if contract == "否" else [],
                q[4].pk: rng.sample(SERVICES, rng.randint(1, 3)),
                q[5].pk: [str(rng.randint(0, 8))],
                q[6].pk: [rng.choice(["希望多组织文体活动", "希望增加技能培训", ""])],
            }
            services.response_submit(actor=user, survey=Survey.objects.get(pk=survey.pk), raw=raw)
        services.survey_close(actor=officer, survey=survey)
        chair = User.objects.get(username="shatuo")
        open_survey = services.survey_create(
            actor=chair, organisation=shatuo, title="沙坨村职工服务需求调查", closes_on=closes
        )
        _questions(chair, open_survey)
        services.survey_send(actor=chair, survey=open_survey, seed=SEED)
    return f"问卷调查：{XISISHANG}匿名问卷（{len(answering)} 份答卷，已结束）；沙坨村需求调查进行中（职工账号 zhigong 可作答）"
