"""Union posts: recorded and ended as dated history; the organisation's chair fields follow them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cadres.models import Cadre, Post
from cadres.rules import UNION_KINDS
from cadres.services.common import create_or_refuse, refuse, require
from members.models import Person
from orgs.models import Organisation
from orgs.roles import Perm


def cadre_register(
    *, actor: Any, organisation: Organisation, name: str, person: Person | None = None, user: Any = None
) -> Cadre:
    """A named cadre of a union (linked to the member registry and an account when given)."""
    require(actor, Perm.CADRE_MANAGE, organisation, f"为“{organisation.name}”登记干部")
    name = (name or "").strip()
    if person is not None:
        existing = Cadre.objects.filter(person=person).first()
        if existing is not None:
            return existing
        name = name or person.name
        user = user or person.user
    if not name:
        refuse({"name": "请填写干部姓名"})
    if len(name) > 50:
        refuse({"name": "姓名不能超过 50 个字"})
    return Cadre.objects.create(name=name, person=person, user=user, organisation=organisation)


def _sync_organisation(organisation: Organisation) -> None:
    """Derive the organisation's chair fields from its current posts (posts are the source of truth)."""
    current = list(
        Post.objects.filter(organisation=organisation, ended_on__isnull=True, role__in=["chair", "vice_chair"])
        .select_related("cadre")
        .order_by("started_on", "pk")
    )
    chair = next((p for p in current if p.role == Post.Role.CHAIR), None)
    organisation.chair_name = chair.cadre.name if chair else ""
    organisation.chair_full_time = bool(chair and chair.full_time)
    organisation.vice_chairs = "、".join(p.cadre.name for p in current if p.role == Post.Role.VICE_CHAIR)[:200]
    organisation.save(update_fields=["chair_name", "chair_full_time", "vice_chairs"])


@transaction.atomic
def post_start(
    *,
    actor: Any,
    organisation: Organisation,
    cadre: Cadre,
    role: str,
    term_start: date,
    term_end: date,
    started_on: date | None = None,
    full_time: bool = False,
    rank: str = "",
    separate_quota: bool = False,
    selection: str = Post.Selection.ELECTED,
) -> Post:
    """A cadre takes up a post. A cadre who serves another union from now on has moved there: their
    record (``Cadre.organisation``) follows the newest post."""
    require(actor, Perm.CADRE_MANAGE, organisation, f"登记“{organisation.name}”的工会职务")
    if organisation.kind not in UNION_KINDS:
        refuse({"organisation": f"“{organisation.name}”不是工会组织，不能登记工会职务"})
    if not organisation.is_active:
        refuse({"organisation": f"“{organisation.name}”已撤销"})
    if role not in Post.Role.values:
        refuse({"role": "职务无效"})
    if selection not in Post.Selection.values:
        refuse({"selection": "产生方式无效"})
    if rank not in Post.Rank.values:
        refuse({"rank": "职级无效"})
    started_on = started_on or timezone.localdate()
    if term_end < term_start:
        refuse({"term_end": "任期止日不能早于任期起日"})
    if not term_start <= started_on <= term_end:
        refuse({"started_on": "任职日期须在本届任期之内"})
    if (rank or separate_quota) and not (role == Post.Role.VICE_CHAIR and full_time):
        refuse({"rank": "职级与职数单列只适用于专职副主席"})
    if role == Post.Role.CHAIR and Post.objects.filter(organisation=organisation, role=role, ended_on=None).exists():
        refuse({"role": f"“{organisation.name}”已有在任主席，请先办理现任主席离任"})
    values = {
        "full_time": full_time, "rank": rank, "separate_quota": separate_quota, "selection": selection,
        "term_start": term_start, "term_end": term_end, "started_on": started_on,
    }  # fmt: skip
    post = create_or_refuse(
        lambda: Post.objects.create(organisation=organisation, cadre=cadre, role=role, recorded_by=actor, **values),
        {"role": f"“{cadre.name}”在“{organisation.name}”已担任{Post.Role(role).label}"},
    )
    if cadre.organisation_id != organisation.pk:
        cadre.organisation = organisation
        cadre.save(update_fields=["organisation"])
    _sync_organisation(organisation)
    return post


@transaction.atomic
def post_end(*, actor: Any, post: Post, ended_on: date | None = None, reason: str) -> Post:
    """A cadre leaves a post (离任): the row is kept with its end date and reason."""
    post = Post.objects.select_for_update().select_related("organisation").get(pk=post.pk)
    require(actor, Perm.CADRE_MANAGE, post.organisation, f"办理“{post.organisation.name}”的干部离任")
    if post.ended_on is not None:
        refuse("该职务已离任")
    reason = (reason or "").strip()
    if not reason:
        refuse({"reason": "请填写离任原因"})
    ended_on = ended_on or timezone.localdate()
    if ended_on < post.started_on:
        refuse({"ended_on": "离任日期不能早于任职日期"})
    post.ended_on = ended_on
    post.end_reason = reason[:200]
    post.save(update_fields=["ended_on", "end_reason"])
    _sync_organisation(post.organisation)
    return post
