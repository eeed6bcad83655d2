"""Reading the member registry.

For other apps (funds: members × rate at founding; the joint-union subsidy; assessment; dashboard):

- ``active_member_count(organisation, *, on=None, subtree=False) -> int``
  Active members of one union (``subtree=True``: of the union and every organisation below it).
  ``on`` as in ``Membership.objects.active_on(on)`` (None: today's roster; a date: the memberships
  running on it). Unscoped: the caller decides who sees it.
- ``member_counts(org_ids, *, on=None, subtree=False) -> dict[int, int]``
  The same for many organisations in one query (every id is in the result, 0 when none).
- ``active_memberships()``: the rows the "会员" counter of the organisation tree counts
  (orgs.registry); the tree counts them through orgs.scope, so each user sees their own scope's total.

Pages and API use ``visible_memberships(user, perm)`` (always through orgs.scope) and
``member_search`` / the ``MembershipFilterSet``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat

from core.db import subquery_count
from core.validators import normalize_id_text, parse_id_number, validate_mobile
from members.models import Honour, ImportJob, Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import PATH_UPPER_SENTINEL, scoped, subtree_q


def active_member_count(organisation: Organisation, *, on: date | None = None, subtree: bool = False) -> int:
    qs = Membership.objects.active_on(on)
    if subtree:
        qs = qs.filter(subtree_q("organisation__path", organisation.path))
    else:
        qs = qs.filter(organisation=organisation)
    return qs.count()


def member_counts(org_ids: Iterable[int], *, on: date | None = None, subtree: bool = False) -> dict[int, int]:
    ids = list(dict.fromkeys(org_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    if subtree:
        inner = Membership.objects.active_on(on).filter(
            organisation__path__gte=OuterRef("path"),
            organisation__path__lt=Concat(OuterRef("path"), Value(PATH_UPPER_SENTINEL)),
        )
        rows = Organisation.objects.filter(pk__in=ids).annotate(n=subquery_count(inner)).values_list("pk", "n")
    else:
        rows = (
            Membership.objects.active_on(on)
            .filter(organisation_id__in=ids)
            .values("organisation_id")
            .annotate(n=Count("pk"))
            .values_list("organisation_id", "n")
        )
    for pk, n in rows:
        result[pk] = n or 0
    return result


def active_memberships() -> QuerySet[Membership]:
    """The rows the tree's member counter counts (orgs.registry; scoped there like the member list)."""
    return Membership.objects.active_on()


# --- for pages and the API ----------------------------------------------------------------------


def visible_memberships(user: Any, perm: str = Perm.MEMBER_VIEW) -> QuerySet[Membership]:
    return scoped(user, perm, Membership.objects.all())


def member_rows(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """What a list needs per row: the union joined, the people of the page fetched in one more
    query (joining them before the LIMIT made PostgreSQL read every person of the first union
    before sorting); the address is not decrypted for lists."""
    return queryset.select_related("organisation").prefetch_related(
        Prefetch("person", queryset=Person.objects.defer("address"))
    )


def classify_search(text: str) -> tuple[str, str]:
    """("id_number" | "mobile" | "text", normalised value) for a search box entry."""
    raw = (text or "").strip()
    if not raw:
        return "text", ""
    norm = normalize_id_text(raw)
    if len(norm) == 18:
        try:
            return "id_number", parse_id_number(norm).number
        except ValidationError:
            pass
    if any(ch.isdigit() for ch in norm) and len(norm) >= 11:
        try:
            return "mobile", validate_mobile(raw)
        except ValidationError:
            pass
    return "text", raw


def member_search(queryset: QuerySet[Membership], text: str) -> QuerySet[Membership]:
    """Exact ID number or mobile (via the blind index), exact member number, or part of a name."""
    from members.services import id_index_candidates, mobile_index_candidates

    kind, value = classify_search(text)
    if not value:
        return queryset
    if kind == "id_number":
        return queryset.filter(person__id_number_index__in=id_index_candidates(value))
    if kind == "mobile":
        return queryset.filter(person__mobile_index__in=mobile_index_candidates(value))
    return queryset.filter(Q(member_no=value.upper()) | Q(member_no=value) | Q(person__name__contains=value))


def person_visible(user: Any, person_id: int, perm: str = Perm.MEMBER_VIEW) -> bool:
    """A person's file is open to whoever sees one of their memberships (the old union after a
    transfer keeps seeing its own past member), or the person in their own-records scope."""
    return visible_memberships(user, perm).filter(person_id=person_id).exists()


def person_memberships_visible(user: Any, person: Person, perm: str = Perm.MEMBER_VIEW) -> tuple[list[Membership], int]:
    """The person's memberships inside the viewer's scope (newest first) and how many others there
    are: an officer sees the part of a person's history that belongs to their unions, never the
    member numbers, unions or reasons of a union outside it."""
    rows = list(
        person.memberships.annotate(visible=Exists(visible_memberships(user, perm).filter(pk=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("-joined_on", "-pk")
    )
    shown = [m for m in rows if m.visible]
    return shown, len(rows) - len(shown)


def person_history_visible(user: Any, person: Person, perm: str = Perm.MEMBER_VIEW) -> QuerySet:
    """The change history of a person's file, only the versions kept while the file belonged to a
    union inside the viewer's scope (or the viewer's own file, for a worker)."""
    return scoped(user, perm, person.history.all()).select_related("history_user").order_by("-history_date")


def person_honours(person: Person) -> list[Honour]:
    return list(person.honours.order_by("-awarded_on", "-pk"))


def honour_exists(title: str) -> Exists:
    return Exists(Honour.objects.filter(person=OuterRef("person_id"), title=title))


def import_jobs_of(user: Any) -> QuerySet[ImportJob]:
    """A user's own import jobs (a job is visible only to whoever uploaded it)."""
    return ImportJob.objects.filter(created_by=user) if user.is_authenticated else ImportJob.objects.none()
