"""Changes to studios (职工创新工作室 / 劳模工作室) and their yearly output, and the counts per subtree
and year. Officers holding ``activities.manage`` over the studio's union register it and record its
output; refusals are Chinese ``ValidationError``s naming the field, or ``PermissionDenied``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from activities.studios import Studio, StudioOutput
from members.models import Honour, Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, scoped, subtree_q

MAX_OUTPUT = 100_000
LEADER_TITLES = (Honour.Title.MODEL_WORKER, Honour.Title.CRAFTSMAN, Honour.Title.MAY_DAY_MEDAL)


def studio_create(
    *,
    actor: Any,
    union: Organisation,
    kind: str,
    name: str,
    leader: Person,
    level: str,
    plaque_on: date,
    field: str = "",
) -> Studio:
    """A union registers a studio led by an active member of its subtree; a 劳模工作室's leader must
    hold a 劳动模范, 顺义工匠 or 五一劳动奖章 honour."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, union):
        raise PermissionDenied("您没有为该工会登记工作室的权限")
    if union.is_partner:
        raise ValidationError({"union": "协作单位不能登记工作室"})
    if kind not in Studio.Kind.values:
        raise ValidationError({"kind": "工作室类型不正确"})
    if level not in Honour.Level.values:
        raise ValidationError({"level": "级别不正确"})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写工作室名称"})
    if not date(1980, 1, 1) <= plaque_on <= timezone.localdate():
        raise ValidationError({"plaque_on": "授牌日期应在 1980 年以后、不晚于今天"})
    in_union = Membership.objects.active_on().filter(person=leader).filter(subtree_q("organisation__path", union.path))
    if not in_union.exists():
        raise ValidationError({"leader": f"{leader.name}不是{union.name}（含下级）的在册会员，或姓名与身份证号不符"})
    if kind == Studio.Kind.MODEL_WORKER and not leader.honours.filter(title__in=LEADER_TITLES).exists():
        raise ValidationError({"leader": f"{leader.name}没有劳动模范、顺义工匠或五一劳动奖章荣誉，不能领办劳模工作室"})
    try:
        with transaction.atomic():
            return Studio.objects.create(
                union=union, kind=kind, name=name[:100], leader=leader, level=level, plaque_on=plaque_on,
                field=field.strip()[:60], created_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError({"name": f"{union.name}已有名为“{name}”的工作室"}) from exc


def output_record(
    *, actor: Any, studio: Studio, year: int, innovations: int, trainees: int, patents: int
) -> StudioOutput:
    """Records (or corrects) a year's output, for a year from the plaque's to the current one."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, studio.union):
        raise PermissionDenied("您没有填报该工作室成果的权限")
    if not studio.plaque_on.year <= year <= timezone.localdate().year:
        raise ValidationError({"year": f"年度应在授牌年度（{studio.plaque_on.year}）至今年之间"})
    for label, value in (("创新成果", innovations), ("培训带徒", trainees), ("专利", patents)):
        if not 0 <= value <= MAX_OUTPUT:
            raise ValidationError({"year": f"{label}应在 0–{MAX_OUTPUT} 之间"})
    row, _ = StudioOutput.objects.update_or_create(
        studio=studio,
        year=year,
        defaults={"innovations": innovations, "trainees": trainees, "patents": patents, "recorded_by": actor},
    )
    return row


@dataclass(frozen=True)
class StudioCounts:
    innovation_studios: int
    model_worker_studios: int
    innovations: int
    trainees: int
    patents: int


def counted_studios(user: Any, root: Organisation, end: date) -> QuerySet[Studio]:
    """Studios of ``root``'s subtree plaqued on or before ``end``, within the viewer's scope: the one
    definition the counts and their drill-down (the studio list's ``subtree`` + ``plaqued_to``) share."""
    studios = scoped(user, Perm.ORG_VIEW, Studio.objects.filter(subtree_q("union__path", root.path)))
    return studios.filter(plaque_on__lte=end)


def studio_period_counts(user: Any, root: Organisation, start: date, end: date) -> StudioCounts:
    """The studios counted at ``end`` (by kind), and their output of the years ``start``–``end`` touch
    (output is recorded per year). Two queries."""
    studios = counted_studios(user, root, end)
    kinds = studios.aggregate(
        innovation=Count("pk", filter=Q(kind=Studio.Kind.INNOVATION)),
        model_worker=Count("pk", filter=Q(kind=Studio.Kind.MODEL_WORKER)),
    )
    output = StudioOutput.objects.filter(
        studio__in=studios.values("pk"), year__gte=start.year, year__lte=end.year
    ).aggregate(innovations=Sum("innovations"), trainees=Sum("trainees"), patents=Sum("patents"))
    return StudioCounts(
        kinds["innovation"], kinds["model_worker"], output["innovations"] or 0, output["trainees"] or 0,
        output["patents"] or 0,
    )  # fmt: skip


def studio_counts(user: Any, root: Organisation, year: int) -> StudioCounts:
    """Studios of ``root``'s subtree plaqued by the end of ``year`` (by kind), and their output of that year."""
    return studio_period_counts(user, root, date(year, 1, 1), date(year, 12, 31))
