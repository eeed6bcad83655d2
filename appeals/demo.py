"""Demo step: liaisons for most (not all) grassroots unions and a year of requests driven through the
real services (with past timestamps), so timelines, deadlines, overdue flags, reopenings and ratings
are what the loop itself produces. Deterministic (seeded) and idempotent (skips when present)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from appeals import services
from appeals.models import Appeal, Category, LiaisonAssignment
from core.models import Notification, User
from members.models import Person
from orgs.demo import DEMO_PASSWORD, person_name
from orgs.models import Organisation, RoleAssignment
from orgs.roles import Role
from orgs.services import role_grant

S = Appeal.State
CATEGORY_WEIGHTS = {
    "wage_arrears": 22,
    "labour_contract": 15,
    "social_insurance": 14,
    "injury_safety": 9,
    "hardship": 12,
    "legal_aid": 7,
    "skills": 8,
    "women": 5,
    "youth": 3,
    "other": 5,
}
TITLES = {
    "wage_arrears": ["工资拖欠两个月", "年底工资未结清", "加班费未支付", "工地欠薪"],
    "labour_contract": ["未签劳动合同", "被无故辞退", "合同到期不续签", "调岗降薪"],
    "social_insurance": ["单位未缴社保", "医保断缴", "公积金少缴", "退休手续咨询"],
    "injury_safety": ["工伤认定难", "车间防护不足", "高温作业无补贴", "工伤待遇未落实"],
    "hardship": ["家庭困难申请帮扶", "大病医疗费负担重", "子女上学困难", "住房困难"],
    "legal_aid": ["劳动仲裁求助", "需要法律援助律师", "讨薪诉讼咨询"],
    "skills": ["想参加叉车培训", "技能等级认定咨询", "电工证培训报名"],
    "women": ["孕期被调岗", "产假工资被扣", "女职工体检未安排", "哺乳期加班"],
    "youth": ["青年职工婚恋交友", "青年职工租房困难", "见习补贴咨询"],
    "other": ["食堂伙食差", "通勤班车取消", "职工书屋开放时间"],
}
DEMO_MARK = "【演示】"


def _sw_users(rng: random.Random) -> dict[str, User]:
    """One social worker (liaison) per sub-federation, except a few left without one (gaps)."""
    out: dict[str, User] = {}
    subs = Organisation.objects.filter(kind__in=Organisation.SUB_FEDERATION_KINDS, code__startswith="SY-").order_by(
        "code"
    )
    for sub in subs:
        if sub.code == "SY-101":
            out[sub.code] = User.objects.get(username="shegong")
            continue
        if sub.code in ("SY-118", "SY-119", "SY-403"):  # no social worker yet: whole subtrees uncovered
            continue
        username = f"sg{sub.code[3:]}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=f"社工 {person_name(rng)}")
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not RoleAssignment.objects.filter(user=user, role=Role.SOCIAL_WORKER, organisation=sub).exists():
            role_grant(actor=None, user=user, role=Role.SOCIAL_WORKER, organisation=sub)
        out[sub.code] = user
    return out


def _assign_liaisons(rng: random.Random, actor: User, workers: dict[str, User], start: datetime) -> int:
    n = 0
    unions = Organisation.objects.filter(
        kind__in=Organisation.GRASSROOTS_KINDS, status="active", code__startswith="SY-"
    ).order_by("path")
    current = set(LiaisonAssignment.objects.filter(ended_on__isnull=True).values_list("organisation_id", flat=True))
    for union in unions:
        sub_code = union.code.rsplit("-", 1)[0]
        user = workers.get(sub_code)
        if user is None or union.pk in current:
            continue
        named = union.code in ("SY-101-001", "SY-101-002", "SY-101-003", "SY-101-004")
        if not named and rng.random() < 0.15:  # gaps: about one union in seven has no liaison
            continue
        services.liaison_assign(
            actor=actor, organisation=union, liaison=user, started_on=start.date(), note=f"{DEMO_MARK}点对点联系"
        )
        n += 1
    return n


def _officer(handler: Organisation, fallback: User, cache: dict[int, User]) -> User:
    if handler.pk not in cache:
        officers = services.officers_of(handler)
        cache[handler.pk] = officers[0] if officers else fallback
    return cache[handler.pk]


def _workday_time(rng: random.Random, day: datetime) -> datetime:
    hour = rng.randint(8, 17)
    return day.replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0)


def _simulate(
    rng: random.Random, appeal: Appeal, *, now: datetime, admin: User, officer_cache: dict[int, User]
) -> None:
    """Drive one request through the loop with realistic delays; stop at ``now``."""
    t = appeal.registered_at
    contact_actor = appeal.liaison or admin

    def step(days: float) -> datetime | None:
        nonlocal t
        t = t + timedelta(days=days, minutes=rng.randint(5, 240))
        return t if t < now else None

    def call(fn: Any, **kw: Any) -> bool:
        try:
            fn(**kw)
        except (ValidationError, PermissionDenied):
            return False
        return True

    late_contact = rng.random() < 0.12
    if not (when := step(rng.uniform(2, 4) if late_contact else rng.uniform(0.05, 0.9))):
        return
    call(
        services.appeal_contact,
        actor=contact_actor,
        appeal=appeal,
        note=rng.choice(["已电话联系职工，了解详细情况", "已上门走访，职工反映属实", "已通过微信联系，约定面谈"]),
        at=when,
    )
    if rng.random() < 0.04:
        if when := step(rng.uniform(0.1, 1)):
            call(
                services.appeal_mark_invalid,
                actor=admin,
                appeal=appeal,
                reason=rng.choice(["重复反映，已并入另一件", "不属于工会职责范围，已告知职工渠道", "职工撤回"]),
                at=when,
            )
        return
    for round_no in (1, 2, 3):
        if not (when := step(rng.uniform(0.1, 2))):
            return
        lead = services.suggest_handler(Appeal.objects.select_related("category", "organisation").get(pk=appeal.pk))
        if lead is None:
            lead = Organisation.objects.get(path=appeal.organisation.path[:8])
        co: list[Organisation] = []
        if rng.random() < 0.25:
            partner_kind = {"women": Organisation.Kind.WOMENS_FEDERATION, "youth": Organisation.Kind.YOUTH_LEAGUE}.get(
                appeal.category.code,
                rng.choice(
                    [Organisation.Kind.WOMENS_FEDERATION, Organisation.Kind.YOUTH_LEAGUE, Organisation.Kind.GOVERNMENT]
                ),
            )
            partner = Organisation.objects.filter(kind=partner_kind, code__startswith="SY-9").order_by("code").first()
            if partner is not None and partner.pk != lead.pk:
                co.append(partner)
        if not call(services.appeal_refer, actor=admin, appeal=appeal, lead=lead, co_handlers=co, at=when):
            return
        refs = list(appeal.referrals.filter(round=round_no).select_related("handler_org"))
        slow = rng.random() < 0.1
        finish = when
        for ref in refs:
            officer = _officer(ref.handler_org, admin, officer_cache)
            if not (w := step(rng.uniform(0.1, 1.5))):
                return
            call(services.referral_accept, actor=officer, referral=ref, at=w)
            days = rng.uniform(8, 25) if slow else rng.uniform(1, 8)
            done_at = w + timedelta(days=days)
            if done_at >= now:
                return
            call(
                services.referral_complete,
                actor=officer,
                referral=ref,
                result=rng.choice(
                    [
                        "已约谈企业负责人，督促整改",
                        "已协调相关部门办理",
                        "已提供法律咨询并协助申请仲裁",
                        "已纳入帮扶并发放慰问金",
                    ]
                ),
                at=done_at,
            )
            finish = max(finish, done_at)
            if done_at.date() > ref.deadline:
                type(ref).objects.filter(pk=ref.pk).update(overdue=True)
                Appeal.objects.filter(pk=appeal.pk).update(
                    overdue=True,
                    escalated_at=timezone.make_aware(datetime.combine(ref.deadline + timedelta(days=1), time(9))),
                )
        t = finish
        if not (when := step(rng.uniform(0.1, 2))):
            return
        resolved = rng.random() < 0.88
        call(
            services.appeal_feedback,
            actor=admin,
            appeal=appeal,
            result="经协调已解决，职工已知悉" if resolved else "已尽力协调，暂未能解决，已告知后续渠道",
            resolved=resolved,
            at=when,
        )
        if rng.random() < 0.25:  # never rated: closes automatically
            services.appeals_autoclose(now=when + timedelta(days=7, hours=1))
            return
        if not (when := step(rng.uniform(0.2, 5))):
            return
        r = rng.random()
        if (round_no == 1 and r < 0.12) or (round_no == 2 and r < 0.25):
            rating, comment = (
                Appeal.Rating.UNSATISFIED,
                rng.choice(["问题没有彻底解决", "只解决了一半", "态度好但结果不满意"]),
            )
        elif r < 0.30:
            rating, comment = Appeal.Rating.BASIC, ""
        else:
            rating, comment = Appeal.Rating.SATISFIED, rng.choice(["", "感谢工会", "办得很快"])
        actor = appeal.worker.user if appeal.worker_id and appeal.worker.user_id else admin
        call(services.appeal_rate, actor=actor, appeal=appeal, rating=rating, comment=comment, at=when)
        if rating != Appeal.Rating.UNSATISFIED:
            return


def build(options: dict[str, Any] | None = None, *, seed: int = 20171011, count: int | None = None) -> str:
    options = options or {}
    count = count or int(options.get("appeals") or 900)
    root = Organisation.objects.filter(code="SY").first()
    if root is None:
        return "诉求：未找到演示区，跳过"
    if Appeal.objects.filter(organisation__path__startswith=root.path).exists():
        n = Appeal.objects.filter(organisation__path__startswith=root.path).count()
        return f"诉求：演示数据已存在（{n} 件），跳过"
    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=365)
    admin = User.objects.get(username="quanyi")
    with transaction.atomic():
        workers = _sw_users(rng)
        liaisons = _assign_liaisons(rng, admin, workers, start - timedelta(days=30))
    unions = list(
        Organisation.objects.filter(
            kind__in=Organisation.GRASSROOTS_KINDS, status="active", code__startswith="SY-"
        ).order_by("path")
    )
    categories = {c.code: c for c in Category.objects.all()}
    codes, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    people: dict[int, list[int]] = {}
    for pk, org_id in (
        Person.objects.filter(organisation__in=unions).values_list("pk", "organisation_id").order_by("pk")[:20000]
    ):
        people.setdefault(org_id, []).append(pk)
    zhigong = Person.objects.filter(user__username="zhigong").select_related("organisation").first()
    shatuo = next((u for u in unions if u.code == "SY-101-001"), None)
    officer_cache: dict[int, User] = {}
    made = 0
    plan = sorted(start + timedelta(seconds=rng.randint(0, 365 * 86400 - 3600)) for _ in range(count))
    for i, when in enumerate(plan):
        when = _workday_time(rng, timezone.localtime(when))
        if when >= now:
            continue
        code = rng.choices(codes, weights)[0]
        title = rng.choice(TITLES[code])
        # 仁和镇 (the report's pilot) gets more traffic, so its pages are lively
        union = shatuo if (shatuo and i % 9 == 0) else rng.choice(unions)
        worker = None
        reporter = ""
        channel = rng.choices(["hotline", "visit", "outreach"], [6, 2, 3])[0]
        actor = admin
        if zhigong and union.pk == zhigong.organisation_id and i % 3 == 0:
            worker, channel, actor = zhigong, Appeal.Channel.PORTAL, zhigong.user
        elif people.get(union.pk) and rng.random() < 0.6:
            worker = Person.objects.get(pk=rng.choice(people[union.pk]))
        else:
            reporter = person_name(rng)
        anonymous = worker is None and rng.random() < 0.08
        with transaction.atomic():
            try:
                appeal = services.appeal_register(
                    actor=actor,
                    organisation=None if channel == Appeal.Channel.PORTAL else union,
                    category=categories[code],
                    channel=channel,
                    title=title,
                    description=f"{union.name}职工反映：{title}，希望工会帮助协调解决。",
                    worker=worker,
                    anonymous=anonymous,
                    third_party=worker is None and not anonymous and rng.random() < 0.1,
                    reporter_name="" if anonymous else reporter,
                    at=when,
                )
            except ValidationError:
                continue
            _simulate(rng, appeal, now=now, admin=admin, officer_cache=officer_cache)
        made += 1
    # Notifications produced while replaying the past are dropped; today's come from the cron step.
    Notification.objects.filter(kind__startswith="appeal").delete()
    tick = services.appeals_tick(now=now)
    total = Appeal.objects.filter(organisation__path__startswith=root.path)
    return (
        f"诉求：{made} 件（近一年；超时 {total.filter(overdue=True).count()} 件，重办 {total.filter(reopen_count__gt=0).count()} 件，"
        f"未办结 {total.exclude(state=S.CLOSED).count()} 件），联络人覆盖 {liaisons} 个基层工会，今日提醒/督办 {tick['near'] + tick['overdue']} 件"
    )
