"""Demo roster: ``options["members"]`` members (default 3000) over the demo district's grassroots
unions. Deterministic (person n always has the same name, ID number and phone) and idempotent
(people already registered are skipped, so running again, or with a larger number, only adds).
Valid ID numbers with Shunyi's region code 110113; the worker account ``zhigong`` is linked to an
active member of 沙坨村 (SY-101-001). Bulk inserts in batches; no per-row history for demo data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from core.models import User
from members import fake
from members.bulk import insert_objects
from members.models import Honour, Membership, Person
from members.services import id_index, mobile_index, next_member_numbers
from orgs.demo import GIVEN, SURNAMES
from orgs.models import Organisation

SEED = 20260501
BATCH = 5000
WORKER_N = 7_999_999  # the demo worker's own ID number (outside the roster's range)
ETHNICITIES = ["汉族"] * 40 + ["满族", "回族", "蒙古族", "朝鲜族"]
POSTS = ["操作工", "司机", "保洁员", "保安", "会计", "技术员", "销售", "厨师", "教师", "护士", "村委会委员", "网格员"]
EDUCATIONS = Person.Education.values
POLITICAL = Person.Political.values
SKILLS = Person.SkillLevel.values
EMPLOYERS_VILLAGE = ["本村合作社", "个体经营", "村委会", "灵活就业", "外出务工"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _person(n: int, rng: random.Random, org: Organisation) -> Person:
    number = fake.id_number(n)
    phone = fake.mobile(n)
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    joint = org.kind in Organisation.JOINT_UNION_KINDS
    return Person(
        name=_name(rng),
        id_number=number,
        id_number_index=id_index(number),
        sex="M" if int(number[16]) % 2 else "F",
        birth_date=birth,
        mobile=phone if rng.random() < 0.95 else "",
        mobile_index=mobile_index(phone),
        address=(org.address or "北京市顺义区") + f"{rng.randint(1, 300)}号",
        ethnicity=rng.choice(ETHNICITIES),
        education=rng.choice(EDUCATIONS),
        political_status=rng.choices(POLITICAL, weights=[70, 15, 2, 12, 1])[0],
        employer=rng.choice(EMPLOYERS_VILLAGE) if joint else (org.employer_name or org.name.removesuffix("工会")),
        post=rng.choice(POSTS),
        skill_level=rng.choices(SKILLS, weights=[60, 15, 12, 8, 4, 1])[0],
        hukou_type=Person.Hukou.RURAL if (joint and rng.random() < 0.8) or rng.random() < 0.3 else Person.Hukou.URBAN,
        is_migrant_worker=rng.random() < (0.5 if joint else 0.25),
        organisation=org,
    )


def _joined(rng: random.Random, person: Person, org: Organisation, today: date) -> date:
    earliest = max(person.birth_date + timedelta(days=18 * 366), org.founded_on or date(2000, 1, 1))
    if earliest >= today:
        return today
    return earliest + timedelta(days=rng.randint(0, (today - earliest).days))


def build(options: dict) -> str:
    total = int(options.get("members", 3000) or 0)
    unions = list(
        Organisation.objects.filter(
            code__startswith="SY-", kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE
        ).order_by("path")
    )
    if not unions:
        return "会员：未找到演示基层工会，跳过"
    weights = [
        3 if o.kind in Organisation.JOINT_UNION_KINDS else 2 if o.kind == Organisation.Kind.ENTERPRISE else 1
        for o in unions
    ]
    rng = random.Random(SEED)
    today = timezone.localdate()
    existing = set(Person.objects.values_list("id_number_index", flat=True))
    # one rng draw sequence per person regardless of what exists: person n is always the same
    plan: list[tuple[Person, Organisation, date]] = []
    for n in range(total):
        org = rng.choices(unions, weights=weights)[0]
        person = _person(n, rng, org)
        joined = _joined(rng, person, org, today)
        if person.id_number_index not in existing:
            plan.append((person, org, joined))
    # the highest sequence number of each union, read once (not once per union and batch)
    tops: dict[int, int] = {}
    for org_pk, no in Membership.objects.filter(organisation__in=unions).values_list("organisation_id", "member_no"):
        tail = no.rsplit("-", 1)[-1]
        if tail.isdigit():
            tops[org_pk] = max(tops.get(org_pk, 0), int(tail))
    added = 0
    with transaction.atomic():
        for start in range(0, len(plan), BATCH):
            chunk = plan[start : start + BATCH]
            people = [p for p, _, _ in chunk]
            insert_objects(Person, people, history=False)
            per_org: dict[int, list[int]] = {}
            for i, (_, org, _) in enumerate(chunk):
                per_org.setdefault(org.pk, []).append(i)
            numbers: dict[int, str] = {}
            for org_pk, indexes in per_org.items():
                org = chunk[indexes[0]][1]
                fresh = next_member_numbers(org, len(indexes), after=tops.get(org_pk, 0))
                tops[org_pk] = int(fresh[-1].rsplit("-", 1)[1])
                for i, no in zip(indexes, fresh, strict=True):
                    numbers[i] = no
            insert_objects(
                Membership,
                [
                    Membership(person=p, organisation=org, member_no=numbers[i], joined_on=joined)
                    for i, (p, (_, org, joined)) in enumerate(zip(people, chunk, strict=True))
                ],
                history=False,
            )
            honours = []
            for p in people:
                if rng.random() < 0.02:
                    title = rng.choice(Honour.Title.values[:5])
                    awarded = p.birth_date + timedelta(days=rng.randint(25 * 365, 40 * 365))
                    honours.append(
                        Honour(
                            person=p,
                            title=title,
                            level=rng.choice(Honour.Level.values),
                            awarded_on=min(awarded, today),
                            awarded_by="顺义区总工会",
                        )
                    )
            insert_objects(Honour, honours, history=False)
            added += len(people)
        worker = _link_worker(today)
    active = Membership.objects.active_on().filter(organisation__code__startswith="SY-").count()
    return f"会员：新增 {added} 人，演示区在册会员共 {active} 人；职工账号 zhigong 关联会员“{worker}”"


def _link_worker(today: date) -> str:
    user = User.objects.filter(username="zhigong").first()
    org = Organisation.objects.filter(code="SY-101-001").first()
    if user is None or org is None:
        return "（无）"
    number = fake.id_number(WORKER_N)
    person = Person.objects.filter(id_number_index=id_index(number)).first()
    if person is None:
        phone = "13900000001"
        person = Person.objects.create(
            name="张伟",
            id_number=number,
            id_number_index=id_index(number),
            sex="M" if int(number[16]) % 2 else "F",
            birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            mobile=phone,
            mobile_index=mobile_index(phone),
            address="北京市顺义区仁和镇沙坨村18号",
            employer="北京顺鑫物流有限公司",
            post="司机",
            hukou_type=Person.Hukou.RURAL,
            is_migrant_worker=True,
            organisation=org,
        )
    if not person.memberships.active_on().exists():
        Membership.objects.create(
            person=person,
            organisation=org,
            member_no=next_member_numbers(org, 1)[0],
            joined_on=min(date(2021, 5, 1), today),
        )
    if person.user_id != user.pk:
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])
    return person.name
