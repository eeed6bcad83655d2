"""Reading requests: always through orgs.scope. The rates (接诉即办 style) are one aggregate query
for any set of requests and one grouped query for all children of a subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from appeals import defaults
from appeals.models import Appeal, LiaisonAssignment, Referral, TimelineEntry
from orgs.models import Organisation, RoleAssignment
from orgs.registry import SubtreeCounter
from orgs.roles import ROLE_PERMS, Perm, Role, ScopeMode
from orgs.scope import grants_with, scoped, subtree_q

A = Appeal
S = Appeal.State


def visible_appeals(user: Any, perm: str = Perm.APPEAL_VIEW) -> QuerySet[Appeal]:
    return scoped(user, perm, Appeal.objects.all())


def office_appeals(user: Any) -> QuerySet[Appeal]:
    """The requests of the officers' back office: those the user handles, supervises or audits.

    Scoped by ``appeals.office``, which no worker holds and no own-records grant carries, so a
    worker's own request is never a back-office row (the worker follows it in the portal).
    """
    return visible_appeals(user, Perm.APPEAL_OFFICE)


def appeal_list_qs(user: Any, perm: str = Perm.APPEAL_OFFICE) -> QuerySet[Appeal]:
    return visible_appeals(user, perm).select_related(
        "organisation", "category", "worker", "liaison", "lead_handler_org"
    )


def todo_q(user: Any) -> Q:
    """待我处理: requests waiting for this user — as liaison before handling starts, or with an open
    referral to an organisation the user handles for. A narrowing filter on already-scoped rows."""
    q = Q(liaison=user, state__in=[S.REGISTERED, S.CONTACTED, S.COORDINATING])
    handler = Q(pk__in=[])
    for g in grants_with(user, Perm.APPEAL_HANDLE):
        if g.mode == ScopeMode.SUBTREE:
            handler |= subtree_q("handler_org__path", g.path)
        elif g.mode == ScopeMode.ORG:
            handler |= Q(handler_org__path=g.path)
    open_refs = Referral.objects.filter(appeal=OuterRef("pk"), state__in=Referral.OPEN_STATES).filter(handler)
    return q | Q(Exists(open_refs))


def can_register(user: Any) -> bool:
    """Officers who may register requests: a handling role over union organisations (not partners)."""
    return any(
        g.role != Role.PARTNER_OFFICER and g.mode != ScopeMode.SELF for g in grants_with(user, Perm.APPEAL_HANDLE)
    )


def timeline_public(appeal: Appeal) -> QuerySet[TimelineEntry]:
    """The worker-visible timeline: what a worker reads anywhere (portal, API, notifications)."""
    return appeal.timeline.filter(public=True).select_related("actor")


def timeline_internal(appeal: Appeal) -> QuerySet[TimelineEntry]:
    """The whole trail, internal notes included: only for a request read through ``office_appeals``."""
    return appeal.timeline.select_related("actor")


def sees_internal(user: Any, appeal: Appeal) -> bool:
    """Whether the request lies in the user's back-office scope (one query)."""
    return office_appeals(user).filter(pk=appeal.pk).exists()


def timeline_for(user: Any, appeal: Appeal) -> QuerySet[TimelineEntry]:
    """The timeline this user may read: the whole trail for an officer whose back-office scope covers
    the request, the worker-visible one for anyone else (the worker themself, whatever else they hold)."""
    return timeline_internal(appeal) if sees_internal(user, appeal) else timeline_public(appeal)


def my_appeals(user: Any) -> QuerySet[Appeal]:
    """A worker's own requests (portal)."""
    return (
        scoped(user, Perm.APPEAL_VIEW, Appeal.objects.filter(worker__user=user))
        .select_related("category", "organisation")
        .order_by("-registered_at", "-id")
    )


# --- the workbench's to-dos: each is a filter, used both to count and to list the rows ------------

# The deadline a request is working to: contact before it is contacted, handling after.
_AFTER_CONTACT = (S.CONTACTED, S.COORDINATING, S.HANDLING)
DUE_CHOICES = [("today", "今日到期"), ("overdue", "已超期")]


def due_q(when: str, today: date) -> Q:
    """Open requests whose current deadline is today (``today``) or already past (``overdue``)."""
    op = "" if when == "today" else "__lt"
    return Q(state=S.REGISTERED, **{f"contact_deadline{op}": today}) | Q(
        state__in=_AFTER_CONTACT, **{f"handling_deadline{op}": today}
    )


def returned_q() -> Q:
    """Requests back at 协调 because their lead handler returned the referral: to be referred again."""
    returned = Referral.objects.filter(appeal=OuterRef("pk"), state=Referral.State.RETURNED)
    return Q(state=S.COORDINATING, lead_handler_org__isnull=True) & Q(Exists(returned))


def referred_to_q(code: str) -> Q:
    """Requests with an open referral (lead or co-handler) to the organisation ``code`` itself."""
    refs = Referral.objects.filter(appeal=OuterRef("pk"), state__in=Referral.OPEN_STATES, handler_org__code=code)
    return Q(Exists(refs))


def appeal_todos(user: Any, *, today: date) -> dict[str, int]:
    """Counts of the back office's to-dos in the user's scope, in one query."""
    return office_appeals(user).aggregate(
        due_today=Count("pk", filter=due_q("today", today)),
        overdue=Count("pk", filter=due_q("overdue", today)),
        returned=Count("pk", filter=returned_q()),
    )


def referral_todos(user: Any) -> list[tuple[Organisation, int]]:
    """Per organisation the user handles requests for (its own grant, not a subtree below it): the
    requests in the user's back office with an open referral to it. One query."""
    grants = [g for g in grants_with(user, Perm.APPEAL_HANDLE) if g.mode != ScopeMode.SELF]
    if not grants or not grants_with(user, Perm.APPEAL_OFFICE):
        return []
    orgs = list(Organisation.objects.filter(pk__in={g.organisation_id for g in grants}).order_by("path"))
    counts = office_appeals(user).aggregate(**{f"o{o.pk}": Count("pk", filter=referred_to_q(o.code)) for o in orgs})
    return [(o, counts[f"o{o.pk}"]) for o in orgs]


# --- the figures behind the rates: each is a filter, used both to count and to drill down --------

METRICS: dict[str, tuple[str, Q]] = {
    "all": ("诉求总数", Q()),
    "contacted_in_time": ("按时联系", Q(contacted_in_time=True)),
    "not_contacted_in_time": ("未按时联系", Q(contacted_in_time=False)),
    "valid": ("有效诉求", Q(invalid=False)),
    "invalid": ("无效诉求", Q(invalid=True)),
    "resolved": ("已解决", Q(invalid=False, resolved=True)),
    "unresolved": ("未解决", Q(invalid=False, resolved=False)),
    "rated": ("已评价", ~Q(rating="")),
    "satisfied": ("满意", Q(rating=A.Rating.SATISFIED)),
    "basic": ("基本满意", Q(rating=A.Rating.BASIC)),
    "unsatisfied": ("不满意（最近一次评价）", Q(rating=A.Rating.UNSATISFIED)),
    "overdue": ("超时", Q(overdue=True)),
    "reopened": ("重办过", Q(reopen_count__gt=0)),
    "open": ("未办结", ~Q(state=S.CLOSED)),
}


def metric_q(key: str) -> Q:
    if key not in METRICS:
        raise KeyError(key)
    return METRICS[key][1]


def _aggregates() -> dict[str, Any]:
    out: dict[str, Any] = {f"n_{k}": Count("pk", filter=q) if q else Count("pk") for k, (_, q) in METRICS.items()}
    out["reopen_total"] = Sum("reopen_count")
    return out


@dataclass(frozen=True)
class RateParams:
    basic_weight: Decimal = Decimal(defaults.BASIC_SATISFIED_WEIGHT)
    w_response: Decimal = Decimal(defaults.COMPOSITE_WEIGHTS[0])
    w_resolution: Decimal = Decimal(defaults.COMPOSITE_WEIGHTS[1])
    w_satisfaction: Decimal = Decimal(defaults.COMPOSITE_WEIGHTS[2])
    small_sample: int = defaults.SMALL_SAMPLE


@dataclass
class Rates:
    counts: dict[str, int]
    response: Decimal | None
    resolution: Decimal | None
    satisfaction: Decimal | None
    composite: Decimal | None
    small_sample: bool
    reopen_total: int = 0
    label: str = ""
    org: Organisation | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.counts["all"]


PCT = Decimal("0.1")


def _pct(num: Decimal | int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / den).quantize(PCT, rounding=ROUND_HALF_UP)


def rates_from_counts(counts: dict[str, int], params: RateParams, reopen_total: int = 0) -> Rates:
    """Pure formulas over the counts (tested by hand-computed cases and properties).

    响应率 = contacted in time / all; 解决率 = resolved / valid (invalid excluded);
    满意率 = (满意 + w × 基本满意) / rated; composite = weighted sum of the available rates,
    the weights re-normalised over the rates that exist (a subtree with no ratings yet is scored on
    the other two rather than as zero).
    """
    response = _pct(counts["contacted_in_time"], counts["all"])
    resolution = _pct(counts["resolved"], counts["valid"])
    satisfaction = _pct(Decimal(counts["satisfied"]) + params.basic_weight * counts["basic"], counts["rated"])
    parts = [(response, params.w_response), (resolution, params.w_resolution), (satisfaction, params.w_satisfaction)]
    present = [(v, w) for v, w in parts if v is not None]
    weight = sum((w for _, w in present), Decimal(0))
    composite = (
        (sum((v * w for v, w in present), Decimal(0)) / weight).quantize(PCT, rounding=ROUND_HALF_UP)
        if present and weight
        else None
    )
    return Rates(
        counts=counts,
        response=response,
        resolution=resolution,
        satisfaction=satisfaction,
        composite=composite,
        small_sample=counts["all"] < params.small_sample,
        reopen_total=reopen_total,
    )


def _counts_of(row: dict[str, Any]) -> tuple[dict[str, int], int]:
    return {k: int(row.get(f"n_{k}") or 0) for k in METRICS}, int(row.get("reopen_total") or 0)


@dataclass(frozen=True)
class RateFilter:
    """What the rates are computed over (also the drill-down list's filter)."""

    date_from: date | None = None
    date_to: date | None = None
    category_id: int | None = None
    liaison_id: int | None = None
    handler_org: Organisation | None = None
    channel: str = ""

    def q(self) -> Q:
        q = Q()
        tz = timezone.get_current_timezone()
        if self.date_from:
            q &= Q(registered_at__gte=datetime.combine(self.date_from, time.min, tzinfo=tz))
        if self.date_to:
            q &= Q(registered_at__lt=datetime.combine(self.date_to, time.max, tzinfo=tz))
        if self.category_id:
            q &= Q(category_id=self.category_id)
        if self.liaison_id:
            q &= Q(liaison_id=self.liaison_id)
        if self.handler_org is not None:
            q &= Q(lead_handler_org=self.handler_org)
        if self.channel:
            q &= Q(channel=self.channel)
        return q


def appeal_rates(queryset: QuerySet[Appeal], params: RateParams | None = None) -> Rates:
    """Rates over any (already scoped) set of requests: one query."""
    params = params or RateParams()
    row = queryset.order_by().aggregate(**_aggregates())
    counts, reopen_total = _counts_of(row)
    return rates_from_counts(counts, params, reopen_total)


def office_scope_by_path(user: Any) -> bool:
    """Whether every grant of the user's back office is an organisation-path grant (officers,
    liaisons, auditors: the common case): then a request is in scope exactly when its organisation
    is. Workers (own rows) and partner officers (referred rows) are scoped by the request itself."""
    grants = grants_with(user, Perm.APPEAL_OFFICE)
    return bool(grants) and all(g.mode != ScopeMode.SELF and g.role != Role.PARTNER_OFFICER for g in grants)


def _rates_base(user: Any, org: Organisation, flt: RateFilter) -> QuerySet[Appeal]:
    """The requests of ``org``'s subtree the user may see, filtered, shaped for a fast aggregate:
    for path-scoped users (``office_scope_by_path``) the filter is expressed on the organisation ids
    (``scoped()`` over the organisation tree with the same action) and the aggregate needs no join."""
    if office_scope_by_path(user):
        org_ids = scoped(user, Perm.APPEAL_OFFICE, Organisation.objects.filter(subtree_q("path", org.path))).values(
            "pk"
        )
        return Appeal.objects.filter(organisation_id__in=org_ids).filter(flt.q())
    return office_appeals(user).filter(subtree_q("organisation__path", org.path)).filter(flt.q())


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    for k, v in counts.items():
        into[k] = into.get(k, 0) + v


def subtree_rates(
    user: Any, org: Organisation, flt: RateFilter | None = None, params: RateParams | None = None
) -> tuple[Rates, list[Rates]]:
    """Rates of ``org``'s subtree and of each direct child's subtree, in three queries whatever the data.

    One grouped aggregate (by organisation) over the requests; the organisations of the subtree
    (one query) say which child each organisation lies under; the subtree total is the sum.
    """
    params = params or RateParams()
    flt = flt or RateFilter()
    grouped = _rates_base(user, org, flt).order_by().values("organisation_id").annotate(**_aggregates())
    by_org = {row["organisation_id"]: _counts_of(row) for row in grouped}
    prefix_len = len(org.path) + org.steplen
    tree = list(
        Organisation.objects.filter(subtree_q("path", org.path))
        .values_list("pk", "path", "depth", "kind")
        .order_by("path")
    )
    branches: dict[str, tuple[dict[str, int], list[int]]] = {}
    for pk, path, _depth, _kind in tree:
        if pk in by_org:
            counts, reopen = by_org[pk]
            entry = branches.setdefault(path[:prefix_len], ({}, [0]))
            _add(entry[0], counts)
            entry[1][0] += reopen
    zero = dict.fromkeys(METRICS, 0)
    total_counts: dict[str, int] = dict(zero)
    total_reopen = 0
    for counts, reopen in branches.values():
        _add(total_counts, counts)
        total_reopen += reopen[0]
    total = rates_from_counts(total_counts, params, total_reopen)
    total.org, total.label = org, org.name
    child_ids = [
        pk for pk, _p, depth, kind in tree if depth == org.depth + 1 and kind not in Organisation.PARTNER_KINDS
    ]
    # Only the children the user may see are listed (an organisation-only grant on a town lists none;
    # its own requests show as the 本级 row), from the same scope as the counted requests.
    children = (
        {o.pk: o for o in scoped(user, Perm.APPEAL_OFFICE, Organisation.objects.filter(pk__in=child_ids))}
        if child_ids
        else {}
    )
    rows: list[Rates] = []
    for pk, path, _depth, _kind in tree:
        if pk not in children:
            continue
        counts, reopen = branches.get(path, (dict(zero), [0]))
        r = rates_from_counts({**zero, **counts}, params, reopen[0])
        r.org, r.label = children[pk], children[pk].name
        rows.append(r)
    if org.path in branches:  # requests registered at the organisation itself
        counts, reopen = branches[org.path]
        r = rates_from_counts({**zero, **counts}, params, reopen[0])
        r.org, r.label = org, f"{org.name}（本级）"
        r.extra["own"] = True
        rows.append(r)
    return total, rows


def _grouped_rates(
    user: Any,
    org: Organisation,
    flt: RateFilter | None,
    params: RateParams | None,
    *,
    key: str,
    fields: tuple[str, ...],
    label: Any,
    extra: Any,
) -> list[Rates]:
    """Rates per value of ``key`` (liaison, lead handler) within a subtree: one grouped query."""
    params = params or RateParams()
    base = _rates_base(user, org, flt or RateFilter())
    grouped = (
        base.order_by()
        .exclude(**{f"{key}__isnull": True})
        .values(*fields)
        .annotate(**_aggregates())
        .order_by(fields[-1])
    )
    out = []
    for row in grouped:
        counts, reopen_total = _counts_of(row)
        r = rates_from_counts(counts, params, reopen_total)
        r.label = label(row)
        r.extra.update(extra(row))
        out.append(r)
    return out


def liaison_rates(
    user: Any, org: Organisation, flt: RateFilter | None = None, params: RateParams | None = None
) -> list[Rates]:
    """Rates per liaison within a subtree (one grouped query)."""
    return _grouped_rates(
        user,
        org,
        flt,
        params,
        key="liaison",
        fields=("liaison_id", "liaison__display_name", "liaison__username"),
        label=lambda row: row["liaison__display_name"] or row["liaison__username"],
        extra=lambda row: {"liaison_id": row["liaison_id"]},
    )


def handler_rates(
    user: Any, org: Organisation, flt: RateFilter | None = None, params: RateParams | None = None
) -> list[Rates]:
    """Rates per lead handling organisation within a subtree (one grouped query)."""
    return _grouped_rates(
        user,
        org,
        flt,
        params,
        key="lead_handler_org",
        fields=("lead_handler_org_id", "lead_handler_org__name", "lead_handler_org__code"),
        label=lambda row: row["lead_handler_org__name"],
        extra=lambda row: {"handler_code": row["lead_handler_org__code"]},
    )


# --- liaison coverage (点对点, 无盲点) ----------------------------------------------------------


@dataclass
class Coverage:
    unions: int
    covered: int
    members: int
    members_covered: int
    gap_count: int
    gaps: list[dict[str, Any]]
    loads: list[dict[str, Any]]

    @property
    def share(self) -> Decimal | None:
        return _pct(self.covered, self.unions)

    @property
    def member_share(self) -> Decimal | None:
        return _pct(self.members_covered, self.members)


def _covers(assignments: list[tuple[str, str]], path: str) -> bool:
    return any(path.startswith(p) if mode == ScopeMode.SUBTREE else path == p for p, mode in assignments)


def liaison_coverage(user: Any, org: Organisation, *, gap_limit: int | None = 200) -> Coverage:
    """For a subtree: unions and members with no liaison, each liaison's load, share covered.

    A union counts as covered only when its current liaison still holds a role that lets them handle
    its requests (a liaison whose role was revoked is a gap too, shown with the reason). Fixed number
    of queries: unions with their current liaison, the liaisons' roles, member counts, open requests.
    """
    from members.selectors import member_counts

    current = LiaisonAssignment.objects.filter(organisation=OuterRef("pk"), ended_on__isnull=True)
    unions = list(
        scoped(user, Perm.APPEAL_OFFICE, Organisation.objects.all())
        .filter(subtree_q("path", org.path), kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE)
        .annotate(
            liaison_id=Subquery(current.values("liaison_id")[:1]),
            liaison_name=Subquery(current.values("liaison__display_name")[:1]),
            liaison_username=Subquery(current.values("liaison__username")[:1]),
        )
        .order_by("path")
        .only("pk", "name", "code", "path", "kind")
    )
    liaison_ids = {u.liaison_id for u in unions if u.liaison_id}
    roles: dict[int, list[tuple[str, str]]] = {}
    handle_roles = [r for r, perms in ROLE_PERMS.items() if Perm.APPEAL_HANDLE in perms]
    for uid, path, mode in RoleAssignment.objects.filter(
        user_id__in=liaison_ids, user__is_active=True, role__in=handle_roles
    ).values_list("user_id", "organisation__path", "scope"):
        roles.setdefault(uid, []).append((path, mode))
    counts = member_counts([u.pk for u in unions])
    covered, gaps = [], []
    for u in unions:
        if u.liaison_id and _covers(roles.get(u.liaison_id, []), u.path):
            covered.append(u)
        else:
            u.gap_reason = "联络人已无该工会的办理权限" if u.liaison_id else "未指派联络人"
            gaps.append(u)
    loads: dict[int, dict[str, Any]] = {}
    for u in covered:
        entry = loads.setdefault(
            u.liaison_id,
            {"liaison_id": u.liaison_id, "name": u.liaison_name or u.liaison_username, "unions": 0, "members": 0},
        )
        entry["unions"] += 1
        entry["members"] += counts.get(u.pk, 0)
    open_by_liaison = dict(
        office_appeals(user)
        .filter(subtree_q("organisation__path", org.path), liaison_id__in=list(loads))
        .exclude(state=S.CLOSED)
        .values("liaison_id")
        .annotate(n=Count("pk"))
        .values_list("liaison_id", "n")
    )
    for pk, entry in loads.items():
        entry["open_appeals"] = open_by_liaison.get(pk, 0)
    shown = gaps if gap_limit is None else gaps[:gap_limit]
    return Coverage(
        unions=len(unions),
        covered=len(covered),
        members=sum(counts.values()),
        members_covered=sum(counts.get(u.pk, 0) for u in covered),
        gap_count=len(gaps),
        gaps=[{"org": u, "members": counts.get(u.pk, 0), "reason": u.gap_reason} for u in shown],
        loads=sorted(loads.values(), key=lambda e: (-e["members"], e["name"])),
    )


def liaison_history(user: Any, org: Organisation) -> QuerySet[LiaisonAssignment]:
    return (
        scoped(user, Perm.APPEAL_OFFICE, LiaisonAssignment.objects.all())
        .filter(subtree_q("organisation__path", org.path))
        .select_related("organisation", "liaison", "assigned_by")
        .order_by("-created_at", "-id")
    )


def open_appeals_counter() -> SubtreeCounter:
    """The tree's "未办结诉求" figure: open requests of the officer's back office (orgs.scope)."""
    return SubtreeCounter(
        "open_appeals",
        "未办结诉求",
        Perm.APPEAL_OFFICE,
        lambda: Appeal.objects.exclude(state=S.CLOSED),
        list_url="appeals:list",
        list_query=(("unfinished", "true"),),
    )
