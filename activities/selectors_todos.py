"""What waits on whom in 顺义工匠 selections and innovation items: the workbench's to-dos.

Each to-do is a queryset of the very rows its list shows (``?todo=<key>`` on the nominations list and
on the innovation list: the FilterSets call the same functions), so a count on the workbench is the
number of rows behind its link. Every queryset starts from the list's own scoped rows, and the step's
own rule then narrows it to what this user may do now:

- ``score`` — nominations of a selection under review (评审中) that this user, holding
  ``activities.review`` over the organiser, has not scored yet and did not nominate themself
  (``score_record`` refuses that);
- ``award`` — shortlisted nominees of a selection whose 公示 period has ended, for whoever holds
  ``activities.manage`` over the organiser (``selection_award``);
- ``objection`` — shortlisted nominees with an undecided objection, for the same officers
  (``objection_decide``);
- ``grade`` — innovation items waiting for grading by the union directly above the submitting union
  (``innovation_services.may_grade``), never an item the user submitted or that is theirs;
- ``reward`` — graded items whose reward cycle is computed and waits for finance's review (复核), for
  whoever holds ``funds.prepare`` over the programme's organisation (``funds.services.cycle_review``);
  the approval that follows is the cycle's own to-do (``funds.selectors.cycles_awaiting_me``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from activities.craftsmen import CraftsmanSelection, Nomination, NominationScore, Objection
from activities.innovation import InnovationItem
from funds.models import Cycle
from orgs.models import Organisation
from orgs.roles import Perm, ScopeMode
from orgs.scope import grants_with, scoped, subtree_q

CRAFTSMAN_TODOS = {"score": "待我评分", "award": "公示期满待授予", "objection": "有待核查的异议"}
INNOVATION_TODOS = {"grade": "待我评审", "reward": "奖励待复核发放"}


def _over_q(user: Any, perm: str, lookup: str) -> Q | None:
    """Rows whose organisation (at ``lookup``, a path) lies where the user holds ``perm`` (``can_at``)."""
    parts = []
    for g in grants_with(user, perm):
        if g.mode == ScopeMode.SUBTREE:
            parts.append(subtree_q(lookup, g.path))
        elif g.mode == ScopeMode.ORG:
            parts.append(Q(**{lookup: g.path}))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _nominations(user: Any) -> QuerySet[Nomination]:
    """The nominations list's rows (``craftsmen_views.NominationList.rows``)."""
    return scoped(user, Perm.ORG_VIEW, Nomination.objects.all())


def _craftsman_q(user: Any, key: str, today: date) -> Q | None:
    """The rule of one to-do over nominations; None when the user holds the step nowhere."""
    perm = Perm.ACTIVITY_REVIEW if key == "score" else Perm.ACTIVITY_MANAGE
    over = _over_q(user, perm, "selection__organiser__path") if key in CRAFTSMAN_TODOS else None
    if over is None:
        return None
    State, Outcome = CraftsmanSelection.State, Nomination.Outcome
    if key == "score":
        mine = NominationScore.objects.filter(nomination=OuterRef("pk"), reviewer=user)
        return over & Q(selection__state=State.REVIEWING) & ~Q(nominated_by=user) & ~Q(Exists(mine))
    shortlisted = over & Q(selection__state=State.NOTICE, outcome=Outcome.SHORTLISTED)
    if key == "award":
        return shortlisted & Q(selection__notice_ends__lt=today)
    pending = Objection.objects.filter(nomination=OuterRef("pk"), finding=Objection.Finding.PENDING)
    return shortlisted & Q(Exists(pending))


def craftsman_todo_rows(user: Any, key: str, *, today: date | None = None) -> QuerySet[Nomination]:
    q = _craftsman_q(user, key, today or timezone.localdate())
    return Nomination.objects.none() if q is None else _nominations(user).filter(q)


def craftsman_todo_counts(user: Any, *, today: date | None = None) -> dict[str, int]:
    """The three counts in one query (none without the actions)."""
    today = today or timezone.localdate()
    rules = {key: _craftsman_q(user, key, today) for key in CRAFTSMAN_TODOS}
    wanted = {key: q for key, q in rules.items() if q is not None}
    found = _nominations(user).aggregate(**{k: Count("pk", filter=q) for k, q in wanted.items()}) if wanted else {}
    return {key: found.get(key) or 0 for key in CRAFTSMAN_TODOS}


def _graded_by_q(user: Any) -> Q | None:
    """Items whose reviewing union (the one directly above the submitting union; the district for its
    own items) lies where the user holds ``activities.review``."""
    parts = []
    step = Organisation.steplen
    for g in grants_with(user, Perm.ACTIVITY_REVIEW):
        if g.mode == ScopeMode.SELF:
            continue
        depth = len(g.path) // step
        below = subtree_q("union__path", g.path) & Q(union__depth__gt=depth)
        if g.mode == ScopeMode.ORG:
            below &= Q(union__depth=depth + 1)
        parts.append(below)
        if depth == 1:  # the district grades what it submits itself
            parts.append(Q(union__path=g.path))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _items(user: Any) -> QuerySet[InnovationItem]:
    """The innovation list's rows (``innovation_services.visible_items``)."""
    return scoped(user, Perm.MEMBER_VIEW, InnovationItem.objects.all())


def _innovation_q(user: Any, key: str) -> Q | None:
    if key == "grade":
        over = _graded_by_q(user)
        if over is None:
            return None
        return over & Q(state=InnovationItem.State.SUBMITTED) & ~Q(submitted_by=user) & ~Q(person__user=user)
    if key == "reward":
        over = _over_q(user, Perm.FUND_PREPARE, "cycle__programme__organisation__path")
        return None if over is None else over & Q(cycle__state=Cycle.State.COMPUTED)
    return None


def innovation_todo_rows(user: Any, key: str) -> QuerySet[InnovationItem]:
    q = _innovation_q(user, key)
    return InnovationItem.objects.none() if q is None else _items(user).filter(q)


def innovation_todo_counts(user: Any) -> dict[str, int]:
    """Both counts in one query (none without the actions)."""
    rules = {key: _innovation_q(user, key) for key in INNOVATION_TODOS}
    wanted = {key: q for key, q in rules.items() if q is not None}
    found = _items(user).aggregate(**{k: Count("pk", filter=q) for k, q in wanted.items()}) if wanted else {}
    return {key: found.get(key) or 0 for key in INNOVATION_TODOS}
