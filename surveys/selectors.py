"""Reading surveys: scoped lists, the response rate by organisation, per-question results, and the
set-based figures the assessment indicator reads."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from orgs.roles import Perm
from orgs.scope import scoped
from surveys.models import MIN_GROUP, Answer, Invitation, Question, Response, Survey

PCT = Decimal("0.1")


def visible_surveys(user: Any, perm: str = Perm.SURVEY_VIEW) -> QuerySet[Survey]:
    """The surveys of the organisations the user may see, with their sent / answered counts."""
    return (
        scoped(user, perm, Survey.objects.all())
        .select_related("organisation")
        .annotate(
            sent_count=Count("invitations"),
            answered_count=Count("invitations", filter=Q(invitations__answered=True)),
        )
    )


def rate(answered: int, sent: int) -> Decimal | None:
    """Response rate in per cent (one decimal), None when nobody was asked."""
    if not sent:
        return None
    return (Decimal(answered) * 100 / Decimal(sent)).quantize(PCT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OrgRate:
    organisation_id: int
    name: str
    sent: int
    answered: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.answered, self.sent)


def response_rates(survey: Survey) -> list[OrgRate]:
    """Sent / answered per member's union (who answered is stored; what they answered is not read here)."""
    rows = (
        Invitation.objects.filter(survey=survey)
        .values("organisation_id", "organisation__name", "organisation__path")
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by("organisation__path")
    )
    return [OrgRate(r["organisation_id"], r["organisation__name"], r["sent"], r["answered"]) for r in rows]


@dataclass
class OptionCount:
    label: str
    count: int
    share: Decimal | None  # per cent of the answers to the question


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    mean: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    responses: int
    pending: int
    hidden: bool  # an anonymous survey with fewer than MIN_GROUP responses shows nothing
    questions: list[QuestionResult]


def _share(n: int, total: int) -> Decimal | None:
    return rate(n, total)


def survey_results(survey: Survey, *, texts_limit: int = 50) -> Results:
    """Per-question results of the responses written so far (an anonymous survey's pending batch is
    counted apart). Four queries whatever the number of answers."""
    questions = list(survey.questions.order_by("position"))
    responses = Response.objects.filter(survey=survey).count()
    pending = survey.pending.count()
    hidden = survey.anonymous and responses < MIN_GROUP
    results = {q.pk: QuestionResult(q, 0) for q in questions}
    if hidden:
        return Results(responses, pending, True, list(results.values()))
    answers = Answer.objects.filter(response__survey=survey)
    choice_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for question_id, choices in answers.filter(question__kind__in=Question.CHOICE_KINDS).values_list(
        "question_id", "choices"
    ):
        results[question_id].answered += 1
        choice_counts[question_id].update(choices)
    numbers = (
        answers.filter(question__kind__in=[Question.Kind.SCALE, Question.Kind.NUMBER])
        .values("question_id", "number")
        .annotate(n=Count("pk"))
    )
    by_value: dict[int, Counter[Decimal]] = defaultdict(Counter)
    for row in numbers:
        by_value[row["question_id"]][row["number"]] += row["n"]
    for q in questions:
        r = results[q.pk]
        if q.kind in Question.CHOICE_KINDS:
            r.options = [
                OptionCount(o, choice_counts[q.pk][o], _share(choice_counts[q.pk][o], r.answered)) for o in q.options
            ]
        elif q.kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
            values = by_value[q.pk]
            r.answered = sum(values.values())
            if r.answered:
                total = sum((v * n for v, n in values.items()), Decimal(0))
                r.mean = (total / r.answered).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                r.minimum, r.maximum = min(values), max(values)
            if q.kind == Question.Kind.SCALE:
                r.options = [
                    OptionCount(f"{s} 分", values[Decimal(s)], _share(values[Decimal(s)], r.answered))
                    for s in range(q.scale_min, q.scale_max + 1)
                ]
    text_rows = (
        answers.filter(question__kind=Question.Kind.TEXT)
        .order_by("question_id", "pk")
        .values_list("question_id", "text")
    )
    for question_id, text in text_rows:
        r = results[question_id]
        r.answered += 1
        if len(r.texts) < texts_limit:
            r.texts.append(text)
    return Results(responses, pending, False, list(results.values()))


def my_invitations(user: Any) -> QuerySet[Invitation]:
    """The worker's own invitations to surveys that have been sent (portal)."""
    return (
        scoped(user, Perm.SURVEY_ANSWER, Invitation.objects.filter(person__user=user))
        .exclude(survey__state=Survey.State.DRAFT)
        .select_related("survey", "survey__organisation")
        .order_by("answered", "-survey__sent_on", "-survey_id")
    )


# --- the assessment indicator "survey response and satisfaction" ---------------------------------


@dataclass(frozen=True)
class SurveyFigures:
    """One organisation's figures over the surveys sent in a period.

    sent / answered: invitations of the organisation's own members (their union at sending).
    satisfaction: the mean of the scale answers counted under the organisation, each normalised
    to 0–100 ((score − lowest) / (highest − lowest) × 100), over ``satisfaction_answers`` answers;
    None without any. Anonymous surveys count only groups of at least MIN_GROUP responses."""

    sent: int = 0
    answered: int = 0
    satisfaction_answers: int = 0
    satisfaction: Decimal | None = None
    # The unrounded sum of the normalised answers: a subtree's mean is Σ points ÷ Σ answers.
    satisfaction_points: Decimal = Decimal(0)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.answered, self.sent)


def survey_figures(start: date, end: date, organisation_ids: Iterable[int] | None = None) -> dict[int, SurveyFigures]:
    """organisation id → its figures over the surveys sent from ``start`` to ``end`` (both included).

    Set-based: two grouped queries whatever the number of organisations, surveys or answers. Not
    scoped: the caller (an assessment the user may run) decides which organisations it asks about.
    An organisation's figures are its own members' (not its subtree's): sum children to roll up."""
    invitations = Invitation.objects.filter(survey__sent_on__gte=start, survey__sent_on__lte=end)
    answers = Answer.objects.filter(
        question__kind=Question.Kind.SCALE,
        response__survey__sent_on__gte=start,
        response__survey__sent_on__lte=end,
        number__isnull=False,
    )
    if organisation_ids is not None:
        ids = list(organisation_ids)
        invitations = invitations.filter(organisation_id__in=ids)
        answers = answers.filter(response__organisation_id__in=ids)
    counts = {
        r["organisation_id"]: (r["sent"], r["answered"])
        for r in invitations.values("organisation_id").annotate(
            sent=Count("pk"), answered=Count("pk", filter=Q(answered=True))
        )
    }
    # (organisation, survey, anonymous, scale, score) → answers, and responses per (organisation, survey)
    scores = answers.values(
        "response__organisation_id",
        "response__survey_id",
        "response__anonymous",
        "question__scale_min",
        "question__scale_max",
        "number",
    ).annotate(n=Count("pk"), responses=Count("response_id", distinct=True))
    group_responses = {
        (r["organisation_id"], r["survey_id"]): r["n"]
        for r in Response.objects.filter(survey__sent_on__gte=start, survey__sent_on__lte=end)
        .values("organisation_id", "survey_id")
        .annotate(n=Count("pk"))
    }
    sums: dict[int, Decimal] = defaultdict(Decimal)
    ns: Counter[int] = Counter()
    for r in scores:
        org, survey_id = r["response__organisation_id"], r["response__survey_id"]
        if r["response__anonymous"] and group_responses.get((org, survey_id), 0) < MIN_GROUP:
            continue
        low, high = r["question__scale_min"], r["question__scale_max"]
        sums[org] += (r["number"] - low) * 100 / (high - low) * r["n"]
        ns[org] += r["n"]
    figures: dict[int, SurveyFigures] = {}
    for org in set(counts) | set(ns):
        sent, answered = counts.get(org, (0, 0))
        mean = (sums[org] / ns[org]).quantize(PCT, rounding=ROUND_HALF_UP) if ns[org] else None
        figures[org] = SurveyFigures(sent, answered, ns[org], mean, sums[org])
    return figures
