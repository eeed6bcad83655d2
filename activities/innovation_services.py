"""普惠制服务项目: submit an innovation item (an office for a member or a unit, a member in the portal),
grade it (the union above), and the counts per subtree and year.

Grading with a prize fixes the reward from the programme's parameters in force that day and opens the
item's own funds cycle (prepared by the system actor, as 大病救助's release): finance reviews and
approves it like any cycle — the approver is never its preparer — and the ledger posts Dr 3107 / Cr
bank. Refusals are Chinese ``ValidationError``s naming the field, or ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django_fsm import can_proceed

from activities.innovation import InnovationItem
from activities.innovation_reward import PERSON_KEY, UNIT_KEY, grade_amount
from activities.services import union_above
from assistance.services.applications import next_number, params_on
from core.money import format_yuan
from core.system import system_actor
from funds import services as funds_services
from funds.bank_selectors import with_cycle_bank_status
from funds.models import Cycle, Programme
from members.models import Membership, Person
from members.services import id_index
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, scoped, subtree_q

PREFIX = "CX"
MIN_CONTENT = 20
PRIZE_GRADES = (InnovationItem.Grade.FIRST, InnovationItem.Grade.SECOND, InnovationItem.Grade.THIRD)


def _text(value: str, field: str, label: str, *, minimum: int, maximum: int) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationError({field: f"请填写“{label}”" if minimum <= 1 else f"“{label}”不少于 {minimum} 字"})
    if len(text) > maximum:
        raise ValidationError({field: f"“{label}”不超过 {maximum} 字"})
    return text


def _create(
    *, actor: Any, union: Organisation, person: Person | None, kind: str, title: str, content: str, benefit: str,
    channel: str,
) -> InnovationItem:  # fmt: skip
    if kind not in InnovationItem.Kind.values:
        raise ValidationError({"kind": "请选择类别（合理化建议、技术革新或“五小”）"})
    values = {
        "title": _text(title, "title", "项目名称", minimum=2, maximum=120),
        "content": _text(content, "content", "主要内容", minimum=MIN_CONTENT, maximum=5000),
        "benefit": _text(benefit, "benefit", "预期效益", minimum=0, maximum=200),
    }
    year = timezone.localdate().year
    for _attempt in range(3):  # two submissions at once take the same number: the unique constraint refuses one
        try:
            with transaction.atomic():
                return InnovationItem.objects.create(
                    number=next_number(InnovationItem, PREFIX, year), year=year, kind=kind, union=union,
                    person=person, channel=channel, submitted_by=actor, **values,
                )  # fmt: skip
        except IntegrityError:
            continue
    raise ValidationError({"title": "提交的人较多，请稍后再试"})


def item_submit(
    *, actor: Any, union: Organisation, kind: str, title: str, content: str, benefit: str = "",
    person: Person | None = None,
) -> InnovationItem:  # fmt: skip
    """The union office submits an item: of a member of its subtree (``person``), or of the unit itself."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, union):
        raise PermissionDenied("您没有为该单位申报创新项目的权限")
    if union.is_partner:
        raise ValidationError({"union": "协作单位不能申报创新项目"})
    if person is not None:
        members = (
            Membership.objects.active_on().filter(person=person).filter(subtree_q("organisation__path", union.path))
        )
        if not members.exists():
            raise ValidationError(
                {"person": f"{person.name}不是{union.name}（含下级）的在册会员，或姓名与身份证号不符"}
            )
    return _create(
        actor=actor, union=union, person=person, kind=kind, title=title, content=content, benefit=benefit,
        channel=InnovationItem.Channel.OFFICE,
    )  # fmt: skip


def member_named(*, union: Organisation, name: str, id_number: str) -> Person:
    """The active member of ``union``'s subtree named by 姓名 + 身份证号. An unknown number, a wrong name
    and a person outside the union get the same refusal, so it tells nothing about people out of scope."""
    name, number = (name or "").strip(), (id_number or "").strip().upper()
    person = Person.objects.filter(id_number_index=id_index(number)).first() if number else None
    active = Membership.objects.active_on().filter(subtree_q("organisation__path", union.path))
    if person is None or person.name != name or not active.filter(person=person).exists():
        who = name or "（未填姓名）"
        raise ValidationError({"person_name": f"{who}不是{union.name}（含下级）的在册会员，或姓名与身份证号不符"})
    return person


def item_submit_own(*, actor: Any, kind: str, title: str, content: str, benefit: str = "") -> InnovationItem:
    """A member submits their own item in the portal; it belongs to the union of their membership."""
    person = getattr(actor, "person", None)
    membership = (
        Membership.objects.active_on().filter(person=person).select_related("organisation").first() if person else None
    )
    if membership is None:
        raise ValidationError({"kind": "您的账号没有关联在册会员信息，请联系所在工会"})
    return _create(
        actor=actor, union=membership.organisation, person=person, kind=kind, title=title, content=content,
        benefit=benefit, channel=InnovationItem.Channel.PORTAL,
    )  # fmt: skip


def reviewer_union(item: InnovationItem) -> Organisation:
    return union_above(item.union)


def may_grade(actor: Any, item: InnovationItem) -> bool:
    return can_at(actor, Perm.ACTIVITY_REVIEW, reviewer_union(item))


def reward_programme(item: InnovationItem) -> Programme:
    """The active reward programme for the item's beneficiary: the member, or the unit."""
    key = UNIT_KEY if item.is_unit_item else PERSON_KEY
    programme = Programme.objects.filter(plugin_key=key, active=True).first()
    if programme is None:
        what = "单位创新项目资助" if item.is_unit_item else "职工创新奖励"
        raise ValidationError({"grade": f"区总工会尚未设立“{what}”资金项目，不能评定奖励等级"})
    return programme


def item_grade(*, actor: Any, item: InnovationItem, grade: str, opinion: str) -> InnovationItem:
    """The union above grades a submitted item, with its opinion. A prize fixes the reward and opens the
    item's payment cycle; 不予奖励 ends it. A graded item is not graded again."""
    if not may_grade(actor, item):
        raise PermissionDenied("只有申报单位的上级工会可以评审创新项目")
    with transaction.atomic():
        item = InnovationItem.objects.select_for_update(of=("self",)).select_related("union", "person").get(pk=item.pk)
        if not can_proceed(item.grade_it):
            raise ValidationError({"grade": f"创新项目 {item.number} 当前{item.get_state_display()}，不能再次评审"})
        if item.submitted_by_id == actor.pk or (item.person_id and item.person.user_id == actor.pk):
            raise ValidationError({"grade": "不能评审自己申报的创新项目"})
        if grade not in InnovationItem.Grade.values:
            raise ValidationError({"grade": "请选择评审等级"})
        opinion = _text(opinion, "opinion", "评审意见", minimum=2, maximum=300)
        now = timezone.now()
        if grade in PRIZE_GRADES:
            programme = reward_programme(item)
            version = params_on(programme, timezone.localdate(now))
            item.amount = grade_amount(grade, version.params)
            item.amount_explanation = (
                f"{item.get_kind_display()}“{item.title[:60]}”评为{InnovationItem.Grade(grade).label}，"
                f"奖励 {format_yuan(item.amount)} 元（{version.effective_from:%Y-%m-%d} 起参数）"
            )
        item.grade_it()
        item.grade, item.opinion, item.reviewed_by, item.reviewed_at = grade, opinion, actor, now
        item.save()
        if item.amount > 0:
            item.cycle = funds_services.cycle_create(actor=system_actor(), programme=programme, period_key=item.number)
            item.save(update_fields=["cycle"])
    return item


# --- counts per subtree and year ---------------------------------------------------------------------


def visible_items(user: Any, perm: str = Perm.MEMBER_VIEW) -> QuerySet[InnovationItem]:
    return with_cycle_bank_status(scoped(user, perm, InnovationItem.objects.select_related("union", "person", "cycle")))


ADOPTED = Q(state=InnovationItem.State.GRADED, grade__in=PRIZE_GRADES)
REWARDED = Q(cycle__state=Cycle.State.PAID)


@dataclass(frozen=True)
class InnovationCounts:
    submitted: int
    adopted: int
    rewarded: int
    rewarded_yuan: Decimal


def _counts(rows: QuerySet[InnovationItem]) -> InnovationCounts:
    agg = rows.aggregate(
        submitted=Count("pk"),
        adopted=Count("pk", filter=ADOPTED),
        rewarded=Count("pk", filter=REWARDED),
        yuan=Sum("amount", filter=REWARDED),
    )
    return InnovationCounts(agg["submitted"], agg["adopted"], agg["rewarded"], agg["yuan"] or Decimal("0.00"))


def innovation_counts(user: Any, root: Organisation, year: int) -> InnovationCounts:
    """Items submitted in ``year`` by ``root``'s subtree (within the user's scope): submitted, adopted
    (graded 一/二/三等), rewarded (their reward paid) and the yuan paid — one query."""
    return _counts(visible_items(user).filter(subtree_q("union__path", root.path), year=year))


def innovation_period_counts(user: Any, root: Organisation, start: date, end: date) -> InnovationCounts:
    """The same four counts for the items submitted between ``start`` and ``end`` (申报日期, both days
    included): the list's ``submitted_from`` / ``submitted_to`` filters select the same rows."""
    rows = visible_items(user).filter(
        subtree_q("union__path", root.path), submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    return _counts(rows)
