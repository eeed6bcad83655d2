"""Changes to surveys: draw up, send, answer, close. Every change checks scope and state here."""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from core.crypto import decrypt, encrypt
from members.models import Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, has_perm, subtree_q
from surveys.conditions import visible_questions
from surveys.models import MIN_GROUP, Answer, Invitation, PendingResponse, Question, Response, Survey
from surveys.sampling import reporting_groups, sample_people

MAX_OPTIONS = 20
MAX_TEXT = 2000
MAX_SAMPLE = 100_000
NUMBER_LIMIT = Decimal("9999999999")  # the column holds 12 digits, 2 after the point
K = Question.Kind


def _require_manage(actor: Any, survey_or_org: Survey | Organisation) -> None:
    organisation = survey_or_org.organisation if isinstance(survey_or_org, Survey) else survey_or_org
    if not can_at(actor, Perm.SURVEY_MANAGE, organisation):
        raise PermissionDenied("您没有管理该工会问卷的权限")


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("organisation").get(pk=survey.pk)


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    closes_on: date,
    intro: str = "",
    anonymous: bool = False,
    audience: str = Survey.Audience.SUBTREE,
    sample_size: int | None = None,
) -> Survey:
    """A draft questionnaire of ``organisation``, to be sent to its subtree's members (or a sample)."""
    _require_manage(actor, organisation)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写问卷名称"
    if audience not in Survey.Audience.values:
        errors["audience"] = "调查对象无效"
    elif audience == Survey.Audience.SAMPLE and not (sample_size and 0 < sample_size <= MAX_SAMPLE):
        errors["sample_size"] = f"随机抽样须填写 1 至 {MAX_SAMPLE} 之间的抽样人数"
    if closes_on < timezone.localdate():
        errors["closes_on"] = "截止日期不能早于今天"
    if errors:
        raise ValidationError(errors)
    return Survey.objects.create(
        organisation=organisation,
        title=title.strip(),
        intro=intro.strip(),
        anonymous=anonymous,
        audience=audience,
        sample_size=sample_size if audience == Survey.Audience.SAMPLE else None,
        closes_on=closes_on,
        created_by=actor,
    )


def _clean_options(options: Sequence[str]) -> list[str]:
    cleaned = [o.strip() for o in options if o and o.strip()]
    if len(cleaned) < 2:
        raise ValidationError({"options": "选择题至少需要两个选项（每行一个）"})
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError({"options": f"选项最多 {MAX_OPTIONS} 个"})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"options": "选项不能重复"})
    if any(len(o) > 100 for o in cleaned):
        raise ValidationError({"options": "每个选项不超过 100 字"})
    return cleaned


@transaction.atomic
def question_add(
    *,
    actor: Any,
    survey: Survey,
    kind: str,
    text: str,
    required: bool = True,
    options: Sequence[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
    condition_on: Question | None = None,
    condition_values: Sequence[str] = (),
) -> Question:
    """Adds a question at the end of a draft. A condition names an earlier choice question of the same
    survey and options of it; the question is then shown only when one of them is chosen."""
    survey = _lock(survey)
    _require_manage(actor, survey)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError("问卷已发放，题目不能再修改")
    if kind not in K.values:
        raise ValidationError({"kind": "题型无效"})
    if not text.strip():
        raise ValidationError({"text": "请填写题目"})
    cleaned_options = _clean_options(options) if kind in Question.CHOICE_KINDS else []
    if kind == K.SCALE and not (0 <= scale_min < scale_max <= 10):
        raise ValidationError({"scale_max": "量表分值须在 0 至 10 之间，且最高分大于最低分"})
    values: list[str] = []
    if condition_on is not None:
        if condition_on.survey_id != survey.pk or condition_on.kind not in Question.CHOICE_KINDS:
            raise ValidationError({"condition_on": "显示条件只能引用本问卷前面的选择题"})
        values = [v.strip() for v in condition_values if v and v.strip()]
        if not values or not set(values) <= set(condition_on.options):
            raise ValidationError({"condition_values": f"显示条件的选项须取自第 {condition_on.position} 题的选项"})
    position = survey.questions.count() + 1
    return Question.objects.create(
        survey=survey,
        position=position,
        kind=kind,
        text=text.strip()[:300],
        required=required,
        options=cleaned_options,
        scale_min=scale_min if kind == K.SCALE else 1,
        scale_max=scale_max if kind == K.SCALE else 5,
        condition_on=condition_on,
        condition_values=values,
    )


@transaction.atomic
def survey_send(*, actor: Any, survey: Survey, seed: int | None = None) -> int:
    """发放: the members of the organisation's subtree on today's roster (or a random sample of them,
    drawn with a stored seed) are invited. Returns the number invited."""
    survey = _lock(survey)
    _require_manage(actor, survey)
    if not can_proceed(survey.t_send):
        raise ValidationError("只有草稿状态的问卷可以发放")
    if not survey.questions.exists():
        raise ValidationError("问卷还没有题目，不能发放")
    roster = dict(
        Membership.objects.active_on()
        .filter(subtree_q("organisation__path", survey.organisation.path))
        .values_list("person_id", "organisation_id")
    )
    if not roster:
        raise ValidationError("该工会及下级没有在册会员，无法发放")
    if survey.audience == Survey.Audience.SAMPLE:
        survey.sample_seed = seed if seed is not None else secrets.randbits(62)
        chosen = sample_people(list(roster), survey.sample_size, survey.sample_seed)
    else:
        chosen = sorted(roster)
    groups = reporting_groups({p: roster[p] for p in chosen}, survey.organisation_id, MIN_GROUP)
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, person_id=p, organisation_id=roster[p], group_id=groups[p]) for p in chosen],
        batch_size=2000,
    )
    survey.t_send()
    survey.sent_on = timezone.localdate()
    survey.save(update_fields=["state", "sent_on", "sample_seed"])
    return len(chosen)


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey) -> Survey:
    """结束: no more answers; the last anonymous answers still waiting for a batch are written."""
    survey = _lock(survey)
    _require_manage(actor, survey)
    if not can_proceed(survey.t_close):
        raise ValidationError("只有进行中的问卷可以结束")
    survey.t_close()
    survey.closed_on = timezone.localdate()
    survey.save(update_fields=["state", "closed_on"])
    _flush(survey, force=True)
    return survey


# --- answering -----------------------------------------------------------------------------------


def _parse(question: Question, raw: Sequence[str]) -> dict[str, Any] | None:
    """One question's raw values → the answer's fields, or None when unanswered; refusal names it."""
    values = [v.strip() for v in raw if v is not None and str(v).strip()]
    if not values:
        return None
    label = f"第 {question.position} 题“{question.text}”"
    if question.kind in Question.CHOICE_KINDS:
        if not set(values) <= set(question.options):
            raise ValidationError({f"q{question.pk}": f"{label}的选项无效"})
        if question.kind == K.SINGLE and len(values) != 1:
            raise ValidationError({f"q{question.pk}": f"{label}只能选一项"})
        return {"choices": sorted(set(values), key=question.options.index), "number": None, "text": ""}
    if len(values) != 1:
        raise ValidationError({f"q{question.pk}": f"{label}只能填一个值"})
    value = values[0]
    if question.kind == K.TEXT:
        if len(value) > MAX_TEXT:
            raise ValidationError({f"q{question.pk}": f"{label}不超过 {MAX_TEXT} 字"})
        return {"choices": [], "number": None, "text": value}
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError({f"q{question.pk}": f"{label}须填数字"}) from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValidationError({f"q{question.pk}": f"{label}的数值超出范围"})
    if question.kind == K.SCALE:
        if number != number.to_integral_value() or not question.scale_min <= number <= question.scale_max:
            raise ValidationError({f"q{question.pk}": f"{label}须选 {question.scale_min} 至 {question.scale_max} 分"})
        number = Decimal(int(number))
    return {"choices": [], "number": str(number.quantize(Decimal("0.01"))), "text": ""}


def answers_clean(questions: Sequence[Question], raw: Mapping[int, Sequence[str]]) -> dict[int, dict[str, Any]]:
    """The answers kept, by question pk: each parsed and checked; answers to questions that their
    condition hides are dropped (whatever the browser sent); a shown required question must be answered."""
    chosen = {
        q.pk: [v for v in raw.get(q.pk, ()) if v in q.options] for q in questions if q.kind in Question.CHOICE_KINDS
    }
    shown = visible_questions(questions, chosen)
    kept: dict[int, dict[str, Any]] = {}
    for q in questions:
        if q.pk not in shown:
            continue
        parsed = _parse(q, raw.get(q.pk, ()))
        if parsed is None:
            if q.required:
                raise ValidationError({f"q{q.pk}": f"第 {q.position} 题“{q.text}”为必答题"})
            continue
        kept[q.pk] = parsed
    return kept


@transaction.atomic
def response_submit(
    *, actor: Any, survey: Survey, raw: Mapping[int, Sequence[str]], person: Person | None = None
) -> None:
    """A member answers, once. ``actor`` is the member (portal); ``person`` defaults to theirs.

    Named survey: the response carries the person and the day. Anonymous: the invitation is marked
    answered (no date) and the answers go, encrypted, to the pending batch; nothing returned or
    logged names the response."""
    if person is None:
        person = getattr(actor, "person", None)
    if person is None or actor is None or person.user_id != actor.pk or not has_perm(actor, Perm.SURVEY_ANSWER):
        raise PermissionDenied("只有受邀会员本人可以作答")
    survey = _lock(survey)
    invitation = Invitation.objects.filter(survey=survey, person=person).first()
    if invitation is None:
        raise PermissionDenied("您不在此问卷的调查对象中")
    if survey.state != Survey.State.OPEN:
        raise ValidationError("问卷已结束，不能再作答" if survey.state == Survey.State.CLOSED else "问卷尚未发放")
    if survey.closes_on < timezone.localdate():
        raise ValidationError("问卷已过截止日期，不能再作答")
    questions = list(survey.questions.order_by("position"))
    kept = answers_clean(questions, raw)
    # The one-answer rule: the flag flips from unanswered once (a conditional UPDATE, atomic in both
    # databases); a named survey's Response has a unique (survey, person) constraint as well.
    today = None if survey.anonymous else timezone.localdate()
    if not Invitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True, answered_on=today):
        raise ValidationError("您已提交过此问卷，每人只能答一次")
    if survey.anonymous:
        payload = {"group": invitation.group_id, "answers": {str(k): v for k, v in kept.items()}}
        PendingResponse.objects.create(survey=survey, payload=encrypt(json.dumps(payload, ensure_ascii=False)))
        _flush(survey)
        return
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey, organisation_id=invitation.group_id, person=person, submitted_on=today
            )
    except IntegrityError:
        raise ValidationError("您已提交过此问卷，每人只能答一次") from None
    Answer.objects.bulk_create(_answers(response, kept))


def _answers(response: Response, kept: Mapping[Any, Mapping[str, Any]]) -> list[Answer]:
    return [
        Answer(
            response=response,
            question_id=int(pk),
            choices=a["choices"],
            number=Decimal(a["number"]) if a["number"] is not None else None,
            text=a["text"],
        )
        for pk, a in kept.items()
    ]


def _flush(survey: Survey, *, force: bool = False) -> int:
    """Writes the pending anonymous answers as responses once there are MIN_GROUP of them (or at the
    close): shuffled, with random ids and no date, so neither row order nor ids follow submission
    order. The answered invitations are rewritten in the same transaction, so that no row version
    of an invitation keeps the transaction of its own submission. Returns the responses written."""
    pending = list(PendingResponse.objects.filter(survey=survey).select_for_update())
    if not pending or (len(pending) < MIN_GROUP and not force):
        return 0
    payloads = [json.loads(decrypt(p.payload)) for p in pending]
    random.SystemRandom().shuffle(payloads)
    responses = [Response(survey=survey, organisation_id=p["group"], anonymous=True) for p in payloads]
    Response.objects.bulk_create(responses)
    answers: list[Answer] = []
    for response, payload in zip(responses, payloads, strict=True):
        answers += _answers(response, payload["answers"])
    Answer.objects.bulk_create(answers, batch_size=2000)
    PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    Invitation.objects.filter(survey=survey, answered=True).update(answered=True)
    return len(responses)
