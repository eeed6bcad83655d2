"""Reading events: always through orgs.scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, Registration
from members.models import Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped, subtree_q


def visible_activities(user: Any) -> QuerySet[Activity]:
    """The events of the unions the user may see, newest first, with what a list row shows."""
    return (
        scoped(user, Perm.ORG_VIEW, Activity.objects.all())
        .select_related("organisation", "reported_by")
        .order_by("-held_on", "-id")
    )


def reporting_unions(user: Any) -> QuerySet[Organisation]:
    """The active grassroots unions the user may report an activity for."""
    return scoped(
        user,
        Perm.ACTIVITY_MANAGE,
        Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE),
    ).order_by("path")


def organising_unions(user: Any) -> QuerySet[Organisation]:
    """The active unions (any level, not partner organisations) the user may organise an event for."""
    return scoped(
        user,
        Perm.ACTIVITY_MANAGE,
        Organisation.objects.filter(status=Organisation.Status.ACTIVE).exclude(kind__in=Organisation.PARTNER_KINDS),
    ).order_by("path")


def partner_organisations() -> QuerySet[Organisation]:
    """The directory's partner organisations (departments, 团委, 妇联) that may co-organise an event:
    their names are public directory entries, offered to every organiser."""
    return Organisation.objects.filter(kind__in=Organisation.PARTNER_KINDS, status=Organisation.Status.ACTIVE).order_by(
        "path"
    )


def visible_registrations(user: Any) -> QuerySet[Registration]:
    """Registrations of the events the user may see (names of people: the member-view action)."""
    return scoped(user, Perm.MEMBER_VIEW, Registration.objects.all()).select_related(
        "activity__organisation", "person", "honour"
    )


def activity_registrations(activity: Activity) -> QuerySet[Registration]:
    """One event's registrations, best ranked first then by registration order."""
    return activity.registrations.select_related("person", "person__organisation", "honour").order_by("rank", "pk")


def open_events_for(person: Person | None, *, today: date | None = None) -> QuerySet[Activity]:
    """Events the person could register for now: being prepared, inside the window, and open to a
    subtree holding one of the person's active memberships. With whether they registered already."""
    if person is None:
        return Activity.objects.none()
    today = today or timezone.localdate()
    member_of = Membership.objects.active_on().filter(person=person).values_list("organisation__path", flat=True)
    paths = list(member_of)
    if not paths:
        return Activity.objects.none()
    # eligible_org's path is a prefix of one of the member's union paths
    prefix_q = Q()
    for path in paths:
        prefixes = [path[:n] for n in range(Organisation.steplen, len(path) + 1, Organisation.steplen)]
        prefix_q |= Q(eligible_org__path__in=prefixes)
    return (
        Activity.objects.filter(prefix_q, state=Activity.State.PLANNED)
        .filter(Q(registration_opens__isnull=True) | Q(registration_opens__lte=today))
        .filter(Q(registration_closes__gte=today) | Q(registration_closes__isnull=True, held_on__gte=today))
        .annotate(
            taken=Count("registrations"),
            mine=Exists(Registration.objects.filter(activity=OuterRef("pk"), person=person)),
        )
        .select_related("organisation")
        .order_by("held_on", "pk")
    )


def my_registrations(person: Person | None) -> QuerySet[Registration]:
    if person is None:
        return Registration.objects.none()
    return person.registrations.select_related("activity__organisation", "honour").order_by("-activity__held_on")


@dataclass(frozen=True)
class EventFigures:
    """The figures the report quotes, for a subtree and a period (reviewed events only)."""

    events: int  # events held (reviewed), every level of organiser
    grassroots_events: int  # of which held by grassroots unions
    participations: int  # attendances recorded by name
    persons: int  # distinct persons among them
    headcount: int  # participants as reported (named or not)


def counted_events(user: Any, *, root: Organisation, start: date, end: date) -> QuerySet[Activity]:
    """Reviewed events held in [start, end] by the unions of ``root``'s subtree that the user may see:
    the one definition every count and drill-down uses."""
    return scoped(
        user,
        Perm.ORG_VIEW,
        Activity.objects.filter(subtree_q("organisation__path", root.path)).filter(
            state=Activity.State.REVIEWED, held_on__gte=start, held_on__lte=end
        ),
    )


def event_figures(user: Any, *, root: Organisation, start: date, end: date) -> EventFigures:
    """Counts for a subtree and period in two queries, whatever the number of events."""
    events = counted_events(user, root=root, start=start, end=end)
    totals = events.aggregate(
        events=Count("pk"),
        grassroots=Count("pk", filter=Q(organisation__kind__in=Organisation.GRASSROOTS_KINDS)),
        headcount=Coalesce(Sum("participants"), 0),
    )
    people = Registration.objects.filter(activity__in=events.values("pk"), attended=True).aggregate(
        participations=Count("*"), persons=Count("person", distinct=True)
    )
    return EventFigures(
        events=totals["events"],
        grassroots_events=totals["grassroots"],
        participations=people["participations"],
        persons=people["persons"],
        headcount=totals["headcount"],
    )


def count_root(user: Any, perm: str, code: str | None) -> Organisation | None:
    """The organisation a list's counts are for: ``?subtree=<code>`` when the user may see it, else
    the user's widest organisation."""
    orgs = scoped(user, perm, Organisation.objects.order_by("depth", "path"))
    code = (code or "").strip()[:40]
    return (orgs.filter(code=code).first() if code else None) or orgs.first()
