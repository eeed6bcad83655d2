"""Reading cadres data: always through orgs.scope.

The training rule (每名基层工会干部每年至少培训一次): for a year, the cadres to train are those who held
a post in a grassroots union at some time in that year, each counted once, at the union of their
latest such post (a cadre who moved mid-year counts at the new union, not twice). A cadre is trained
for the year when they completed (结业) a class on a date in that year, whoever organised it and
whichever union they served then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cadres.models import (
    Application,
    Assignment,
    Attendance,
    Cadre,
    Evaluation,
    InterviewScore,
    Post,
    Recruitment,
    SocialWorker,
    TrainingClass,
)
from cadres.rules import EXPIRY_WINDOW_DAYS, FULL_TIME_VICE_KINDS, REQUIRED_ROLES, UNION_KINDS
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped, subtree_q

P = Post.Role


# --- posts -----------------------------------------------------------------------------------------


def visible_posts(user: Any, perm: str = Perm.CADRE_VIEW) -> QuerySet[Post]:
    return scoped(user, perm, Post.objects.all()).select_related("organisation", "cadre")


def expiring_q(today: date) -> Q:
    """Current posts whose term ends within the window (or has already ended, still unfilled anew)."""
    return Q(ended_on__isnull=True, term_end__lte=today + timedelta(days=EXPIRY_WINDOW_DAYS))


def _current_post(role: str, **extra: Any) -> Exists:
    return Exists(Post.objects.filter(organisation=OuterRef("pk"), role=role, ended_on__isnull=True, **extra))


def union_posts_status(user: Any) -> QuerySet[Organisation]:
    """The active union organisations of the user's scope, each with whether its required posts and
    the full-time vice-chair are held."""
    return (
        scoped(user, Perm.CADRE_VIEW, Organisation.objects.filter(kind__in=UNION_KINDS, status="active"))
        .annotate(
            has_chair=_current_post(P.CHAIR),
            has_audit=_current_post(P.AUDIT),
            part_time_chair=_current_post(P.CHAIR, full_time=False),
            full_time_vice=_current_post(P.VICE_CHAIR, full_time=True),
        )
        .order_by("path")
    )


def vacancy_q() -> Q:
    checks = {P.CHAIR: "has_chair", P.AUDIT: "has_audit"}
    q = Q(pk__in=[])
    for role in REQUIRED_ROLES:
        q |= Q(**{checks[role]: False})
    return q


def part_time_without_vice_q() -> Q:
    """Towns and streets whose chair is part-time and who have no full-time vice-chair."""
    return Q(kind__in=FULL_TIME_VICE_KINDS, part_time_chair=True, full_time_vice=False)


def vacant_labels(org: Organisation) -> str:
    missing = [
        label
        for role, label, held in ((P.CHAIR, "主席", org.has_chair), (P.AUDIT, "经审委员", org.has_audit))
        if role in REQUIRED_ROLES and not held
    ]
    return "、".join(missing)


# --- social workers --------------------------------------------------------------------------------


def visible_recruitments(user: Any) -> QuerySet[Recruitment]:
    return scoped(user, Perm.CADRE_VIEW, Recruitment.objects.select_related("organisation")).order_by(
        "-opened_on", "-pk"
    )


def interviewing_for(user: Any) -> QuerySet[Recruitment]:
    """Recruitments in which the user is a named interviewer (whatever else they may see)."""
    return Recruitment.objects.filter(interviewers=user).select_related("organisation")


def applications_of(recruitment: Recruitment) -> QuerySet[Application]:
    return recruitment.applications.select_related("recruitment").order_by("rank", "pk")


@dataclass(frozen=True)
class ScoreSheet:
    """What one interviewer sees of one candidate: their own score, and the others' only after theirs."""

    application: Application
    own: InterviewScore | None
    others: list[InterviewScore]
    submitted_count: int


def scores_visible_to(user: Any, recruitment: Recruitment) -> list[ScoreSheet]:
    """An interviewer sees the other interviewers' scores of a candidate only once they have submitted
    their own (two queries for the whole recruitment)."""
    candidates = [a for a in applications_of(recruitment) if a.in_interview]
    by_app: dict[int, list[InterviewScore]] = {a.pk: [] for a in candidates}
    for s in InterviewScore.objects.filter(application__in=candidates).select_related("interviewer"):
        by_app[s.application_id].append(s)
    sheets = []
    for a in candidates:
        own = next((s for s in by_app[a.pk] if s.interviewer_id == user.pk), None)
        others = [s for s in by_app[a.pk] if s.interviewer_id != user.pk] if own else []
        sheets.append(ScoreSheet(a, own, others, len(by_app[a.pk])))
    return sheets


def visible_workers(user: Any, perm: str = Perm.CADRE_VIEW) -> QuerySet[SocialWorker]:
    current = Assignment.objects.filter(social_worker=OuterRef("pk"), ended_on__isnull=True)
    latest = Evaluation.objects.filter(social_worker=OuterRef("pk")).order_by("-year")
    return (
        scoped(user, perm, SocialWorker.objects.all())
        .select_related("organisation", "pay_grade", "user")
        .annotate(
            serving=Subquery(current.order_by("started_on").values("organisation__name")[:1]),
            last_year=Subquery(latest.values("year")[:1]),
            last_result=Subquery(latest.values("result")[:1]),
        )
    )


def assignments_of(worker: SocialWorker) -> QuerySet[Assignment]:
    return worker.assignments.select_related("organisation", "assigned_by").order_by("-started_on", "-pk")


def evaluations_of(worker: SocialWorker) -> QuerySet[Evaluation]:
    return worker.evaluations.select_related("recorded_by").order_by("-year")


# --- training --------------------------------------------------------------------------------------


def visible_classes(user: Any) -> QuerySet[TrainingClass]:
    return scoped(user, Perm.CADRE_VIEW, TrainingClass.objects.select_related("organisation"))


def attendances_of(user: Any, training_class: TrainingClass) -> QuerySet[Attendance]:
    """The class's list as the user may see it: all of it for whoever sees the class."""
    return training_class.attendances.select_related("cadre", "organisation").order_by("organisation__path", "pk")


def visible_attendances(user: Any) -> QuerySet[Attendance]:
    return scoped(user, Perm.CADRE_VIEW, Attendance.objects.all()).select_related(
        "cadre", "organisation", "training_class", "training_class__organisation"
    )


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _posts_in_year(year: int) -> Q:
    first, last = _year_bounds(year)
    return Q(organisation__kind__in=Organisation.GRASSROOTS_KINDS, started_on__lte=last) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )


def coverage(user: Any, year: int) -> QuerySet[Post]:
    """One row per grassroots cadre to train in ``year`` (their latest grassroots post of the year, in
    the user's scope), with ``trained`` and ``trained_on`` (their last completion in the year)."""
    return coverage_of(scoped(user, Perm.CADRE_VIEW, Post.objects.all()), year)


def coverage_of(posts: QuerySet[Post], year: int) -> QuerySet[Post]:
    """The coverage rule over ``posts`` (already narrowed by the caller: a user's scope, or the subtree
    an assessment reads — one set-based query either way)."""
    in_year = _posts_in_year(year)
    latest = Post.objects.filter(in_year, cadre=OuterRef("cadre")).order_by("-started_on", "-pk").values("pk")[:1]
    completed = Attendance.objects.filter(
        cadre=OuterRef("cadre"), status=Attendance.Status.COMPLETED, completed_on__year=year
    )
    return (
        posts.filter(in_year)
        .filter(pk=Subquery(latest))
        .select_related("organisation", "cadre")
        .annotate(
            trained=Exists(completed),
            trained_on=Subquery(completed.values("cadre").annotate(last=Max("completed_on")).values("last")[:1]),
        )
    )


@dataclass(frozen=True)
class CoverageFigures:
    year: int
    cadres: int
    trained: int

    @property
    def untrained(self) -> int:
        return self.cadres - self.trained

    @property
    def share(self) -> str:
        return f"{self.trained * 100 / self.cadres:.1f}" if self.cadres else "—"


def coverage_figures(rows: QuerySet[Post], year: int) -> CoverageFigures:
    return CoverageFigures(year, rows.count(), rows.filter(trained=True).count())


def untrained_cadres(user: Any, year: int, subtree: Organisation | None) -> list[Cadre]:
    rows = coverage(user, year).filter(trained=False)
    if subtree is not None:
        rows = rows.filter(subtree_q("organisation__path", subtree.path))
    return [row.cadre for row in rows.select_related("cadre__organisation")]


# --- the workbench -----------------------------------------------------------------------------------


def cadre_todos(user: Any, *, today: date | None = None) -> dict[str, int]:
    """The workbench's counts: vacant required posts, expiring terms, part-time town chairs without a
    full-time vice-chair, and this year's untrained grassroots cadres. Four queries."""
    today = today or timezone.localdate()
    status = union_posts_status(user)
    return {
        "vacant": status.filter(vacancy_q()).count(),
        "expiring": visible_posts(user).filter(expiring_q(today)).count(),
        "part_time": status.filter(part_time_without_vice_q()).count(),
        "untrained": coverage(user, today.year).filter(trained=False).count(),
    }
