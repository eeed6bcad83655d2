"""The demo district's events (``manage.py demo``): a district forklift competition co-organised with
区人保局 (held, scored, awarded, reported and reviewed), a town's flower-arranging training with
区社教中心, and a spraying competition of 仁和镇 whose registration is open now, for the worker
account ``zhigong`` to register on a phone; the innovation reward programmes (member, unit) on fund
3107 with a few items of 仁和镇's 沙坨村 union — one from ``zhigong`` in the portal — graded by
``renhe`` and paid (or waiting for ``caiwu2``). Deterministic and idempotent: an event whose title
exists is left as it is; the innovation items are made once."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from activities import innovation_services as inn
from activities import services
from activities.innovation import InnovationItem
from activities.innovation_reward import FUND_CODE, PERSON_KEY, UNIT_KEY
from activities.models import Activity, Registration
from core.models import User
from core.system import system_actor
from funds import services as funds_services
from funds import tasks as funds_tasks
from funds.models import Cycle, Programme
from members.models import Membership, Person
from orgs.models import Organisation

SEED = 13
FORKLIFT = "2026年顺义区职工职业技能大赛（叉车）"
FLOWERS = "仁和镇职工插花技能培训"
SPRAYING = "仁和镇职工喷涂技能比赛"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _people(root: Organisation, count: int, rng: random.Random) -> list[Person]:
    ids = list(
        Membership.objects.active_on()
        .filter(organisation__path__startswith=root.path)
        .order_by("person_id")
        .values_list("person_id", flat=True)[:400]
    )
    chosen = sorted(rng.sample(ids, min(count, len(ids))))
    return list(Person.objects.filter(pk__in=chosen).order_by("pk"))


def _held_event(
    event: Activity, held_on: date, people: list[Person], officer: User, rng: random.Random, *, scored: bool
) -> None:
    """Members register while the event is ahead; then it is moved to its real (past) date and run."""
    for person in people:
        services.registration_add(actor=officer, activity=event, person=person)
    event = _past(event, held_on)
    regs = list(event.registrations.order_by("pk"))
    present = [r.pk for r in regs if rng.random() < 0.92]
    services.attendance_record(actor=officer, activity=event, attended=present)
    if scored:
        scores = {pk: Decimal(rng.randint(700, 990)) / 10 for pk in present}
        services.results_record(actor=officer, activity=event, scores=scores)
        ranked = sorted(Registration.objects.filter(pk__in=present), key=lambda r: r.rank)
        awards = {r.pk: ("first" if r.rank == 1 else "second" if r.rank <= 3 else "third") for r in ranked[:6]}
        awards |= {r.pk: "tech_expert" for r in ranked[6:8]}
        services.award_grant(actor=officer, activity=event, awards=awards, awarded_on=event.held_on + timedelta(days=3))


def _past(event: Activity, held_on: date) -> Activity:
    """The demo's history: the event's date set to the day it was held (registration closed before)."""
    Activity.objects.filter(pk=event.pk).update(held_on=held_on, registration_opens=None, registration_closes=None)
    event.refresh_from_db()
    return event


@transaction.atomic  # an event is built whole or not at all (its title is the idempotency key)
def build(options: dict) -> str:
    rng = random.Random(SEED)
    root = Organisation.objects.get(depth=1, code="SY")
    renhe = Organisation.objects.get(code="SY-101")
    partners = {o.code: o for o in Organisation.objects.filter(code__in=["SY-903", "SY-905", "SY-906", "SY-907"])}
    jingji, renhe_officer, admin = _user("jingji"), _user("renhe"), _user("admin")
    today = timezone.localdate()
    made = []
    # (title, organiser, organiser's officer, reviewer, kind, skill, place, capacity, partner, held on,
    #  registrants, scored): a held date of None is an event still open for registration.
    held_events = [
        (FORKLIFT, root, jingji, admin, Activity.Kind.COMPETITION, "叉车", "顺义区职工技能实训基地", 40, "SY-903",
         date(2026, 9, 20), 24, True),
        (FLOWERS, renhe, renhe_officer, jingji, Activity.Kind.TRAINING, "插花", "仁和镇职工之家", 30, "SY-906",
         date(2026, 10, 15), 18, False),
        (SPRAYING, renhe, renhe_officer, None, Activity.Kind.COMPETITION, "喷涂", "仁和镇职工之家", 20, "SY-907",
         None, 0, True),
    ]  # fmt: skip
    for title, org, officer, reviewer, kind, skill, place, capacity, partner, held_on, n, scored in held_events:
        if Activity.objects.filter(title=title).exists():
            continue
        event = services.event_create(
            actor=officer,
            organisation=org,
            title=title,
            kind=kind,
            skill=skill,
            place=place,
            held_on=today + timedelta(days=1 if held_on else 21),
            capacity=capacity,
            registration_opens=None if held_on else today - timedelta(days=3),
            registration_closes=None if held_on else today + timedelta(days=14),
            co_organisers=[partners[partner]],
        )
        if held_on is not None:
            _held_event(event, held_on, _people(org, n, rng), officer, rng, scored=scored)
            event.refresh_from_db()
            services.event_report(actor=officer, activity=event)
            services.event_review(actor=reviewer, activity=event, approve=True)
        made.append(title)
    awarded = Registration.objects.exclude(honour=None).count()
    innovation = _innovation(root, rng)
    return f"活动与竞赛：新增 {len(made)} 项（{'、'.join(made) or '无'}），竞赛获奖记入会员荣誉共 {awarded} 项；{innovation}"


# (kind, title, member? (else the unit), grade or None = waiting, paid?)
INNOVATION_ITEMS = [
    ("suggestion", "仓储叉车通道单向循环的合理化建议", True, "second", True),
    ("renovation", "冷库门帘加装感应自动闭合装置", True, "first", True),
    ("invention", "托盘防滑限位块", True, "none", False),
    ("design", "分拣台可调高度小设计", True, None, False),
    ("improvement", "村级物流站电动三轮车充电柜改造", False, "third", False),
]
INNOVATION_PRIZES = {
    PERSON_KEY: ("CXJL", "职工创新奖励", {"first": "2000", "second": "1000", "third": "500"}),
    UNIT_KEY: ("CXZZ", "单位创新项目资助", {"first": "10000", "second": "6000", "third": "3000"}),
}


def _innovation(root: Organisation, rng: random.Random) -> str:
    """The two reward programmes (system set-up, 50,000 yuan budget) and five items of 沙坨村."""
    system = system_actor()
    accounts = funds_services.standard_accounts_ensure(district=root)
    for key, (code, name, prizes) in INNOVATION_PRIZES.items():
        if not Programme.objects.filter(code=code).exists():
            programme = funds_services.programme_create(
                actor=system, code=code, name=name, plugin_key=key, period_type=Programme.PeriodType.ON_APPLICATION,
                fund=accounts[FUND_CODE], organisation=root, approval_chain=["财务审核"],
                description="普惠制服务项目：合理化建议、技术革新和“五小”，经上级工会评审获奖的按等级奖励。",
            )  # fmt: skip
            funds_services.parameter_version_add(
                actor=system, programme=programme, effective_from=date(2024, 1, 1), params=prizes, note="实施办法"
            )
    if InnovationItem.objects.exists():
        return f"创新项目 {InnovationItem.objects.count()} 项"
    funds_services.allocation_register(
        actor=system, fund=accounts[FUND_CODE], amount=Decimal("50000"), on=date(2026, 1, 5), note="职工创新奖励预算"
    )
    union = Organisation.objects.get(code="SY-101-001")
    chair, renhe, finance = _user("shatuo"), _user("renhe"), _user("caiwu2")
    worker = _user("zhigong")
    people = [p for p in _people(union, 6, rng) if p.user_id is None]
    for n, (kind, title, by_member, grade, paid) in enumerate(INNOVATION_ITEMS):
        content = f"{title}：在岗位实践中发现问题，提出改进办法并组织试用，经班组验证效果良好，可在同类岗位推广。"
        if n == 0 and worker is not None and getattr(worker, "person", None) is not None:
            item = inn.item_submit_own(actor=worker, kind=kind, title=title, content=content, benefit="提高效率")
        else:
            person = people[n % len(people)] if by_member and people else None
            item = inn.item_submit(
                actor=chair, union=union, person=person, kind=kind, title=title, content=content, benefit="降低成本"
            )
        if grade is None:
            continue
        item = inn.item_grade(
            actor=renhe, item=item, grade=grade, opinion="经评审，同意" if grade != "none" else "暂不予奖励"
        )
        if item.cycle_id:
            cycle = Cycle.objects.get(pk=item.cycle_id)
            if cycle.state == Cycle.State.COMPUTING:  # no task worker runs during the demo command
                funds_tasks.cycle_compute_run(cycle.pk)
                cycle.refresh_from_db()
            if paid:
                cycle = funds_services.cycle_review(actor=finance, cycle=cycle)
                funds_services.cycle_approve(actor=finance, cycle=cycle)
    return f"创新项目 {InnovationItem.objects.count()} 项（2 项奖励已审批入账，1 项单位资助待财务审批）"
