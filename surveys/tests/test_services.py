from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.tests.factories import member
from surveys import selectors, services
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.tests.factories import answer, satisfaction_survey, workers

pytestmark = pytest.mark.django_db
K = Question.Kind


def test_create_refusals_change_nothing(district):
    later = timezone.localdate() + timedelta(days=5)
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=district.user("town_a"), organisation=district.union_b, title="x", closes_on=later)
    with pytest.raises(PermissionDenied):
        services.survey_create(
            actor=district.user("worker_a"), organisation=district.union_a, title="x", closes_on=later
        )
    with pytest.raises(ValidationError, match="抽样人数"):
        services.survey_create(
            actor=district.user("town_b"), organisation=district.union_b, title="x", closes_on=later, audience="sample"
        )
    with pytest.raises(ValidationError, match="截止日期"):
        services.survey_create(
            actor=district.user("town_b"), organisation=district.union_b, title="x", closes_on=date(2000, 1, 1)
        )
    assert Survey.objects.count() == 0


def test_question_refusals(district):
    survey = satisfaction_survey(district, send=False)
    actor = district.user("town_b")
    scale = survey.questions.get(position=2)
    with pytest.raises(ValidationError, match="至少需要两个选项"):
        services.question_add(actor=actor, survey=survey, kind=K.SINGLE, text="x", options=["唯一"])
    with pytest.raises(ValidationError, match="前面的选择题"):
        services.question_add(
            actor=actor, survey=survey, kind=K.TEXT, text="x", condition_on=scale, condition_values=["1"]
        )
    with pytest.raises(ValidationError, match="须取自第 1 题"):
        services.question_add(
            actor=actor, survey=survey, kind=K.TEXT, text="x", condition_on=survey.questions.get(position=1),
            condition_values=["也许"],
        )  # fmt: skip
    with pytest.raises(ValidationError, match="量表分值"):
        services.question_add(actor=actor, survey=survey, kind=K.SCALE, text="x", scale_min=5, scale_max=5)
    with pytest.raises(PermissionDenied):
        services.question_add(actor=district.user("town_a"), survey=survey, kind=K.TEXT, text="x")
    assert survey.questions.count() == 5


def test_send_invites_the_subtree_roster_and_freezes_the_questions(district):
    inside = [member(district.union_b) for _ in range(3)]
    member(district.union_a)  # another town: not asked
    gone = member(district.union_b)
    gone.status, gone.ended_on = "left", date(2026, 1, 1)
    gone.save()
    survey = satisfaction_survey(district, organisation=district.town_b)
    assert set(survey.invitations.values_list("person_id", flat=True)) == {m.person_id for m in inside}
    assert survey.state == Survey.State.OPEN and survey.sent_on == timezone.localdate()
    with pytest.raises(ValidationError, match="已发放"):
        services.question_add(actor=district.user("town_b"), survey=survey, kind=K.TEXT, text="x")
    with pytest.raises(ValidationError, match="只有草稿"):
        services.survey_send(actor=district.user("town_b"), survey=survey)
    assert survey.invitations.count() == 3


def test_a_random_sample_is_reproducible_from_its_stored_seed(district):
    people = {member(district.union_b).person_id for _ in range(30)}
    first = satisfaction_survey(district, audience="sample", sample_size=7)
    second = satisfaction_survey(district, audience="sample", sample_size=7, title="第二次")
    chosen = set(first.invitations.values_list("person_id", flat=True))
    assert len(chosen) == 7 and chosen <= people
    assert first.sample_seed == 20170101
    assert chosen == set(second.invitations.values_list("person_id", flat=True))  # same roster, same seed


def test_one_answer_per_member(district):
    (worker,) = workers(district.union_b, 1, "w")
    survey = satisfaction_survey(district)
    answer(survey, worker, score=5)
    with pytest.raises(ValidationError, match="每人只能答一次"):
        answer(survey, worker, score=1)
    assert Response.objects.count() == 1 and Answer.objects.get(question__position=2).number == 5
    # and the database itself refuses a second response of the same person
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey, organisation=district.union_b, person=worker.person, submitted_on=timezone.localdate()
        )


def test_a_conditional_question_is_skipped_and_its_answer_dropped(district):
    yes, no = workers(district.union_b, 2, "c")
    survey = satisfaction_survey(district)
    q = {x.position: x.pk for x in survey.questions.all()}
    # 是: question 3 is hidden, so it is not required, and what the browser sent for it is dropped
    services.response_submit(actor=yes, survey=survey, raw={q[1]: ["是"], q[2]: ["4"], q[3]: ["不该保存"]})
    assert not Answer.objects.filter(question_id=q[3]).exists()
    # 否: question 3 is shown and required
    with pytest.raises(ValidationError, match="第 3 题“未签订的原因”为必答题"):
        services.response_submit(actor=no, survey=survey, raw={q[1]: ["否"], q[2]: ["2"]})
    assert not Invitation.objects.get(survey=survey, person=no.person).answered  # the refusal changed nothing
    answer(survey, no, contract="否", score=2, reason="单位未提供")
    assert Answer.objects.get(question_id=q[3]).text == "单位未提供"


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (2, "6", "须选 1 至 5 分"),
        (2, "3.5", "须选 1 至 5 分"),
        (2, "NaN", "超出范围"),
        (4, "1" + "0" * 30, "超出范围"),
        (4, "很多", "须填数字"),
        (1, "也许", "选项无效"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(district, position, value, message):
    (worker,) = workers(district.union_b, 1, "b")
    survey = satisfaction_survey(district)
    q = {x.position: x.pk for x in survey.questions.all()}
    raw = {q[1]: ["是"], q[2]: ["3"], position and q[position]: [value]}
    with pytest.raises(ValidationError, match=message):
        services.response_submit(actor=worker, survey=survey, raw=raw)
    assert Response.objects.count() == 0 and not Invitation.objects.get(survey=survey).answered


def test_only_the_invited_member_answers_and_only_while_open(district):
    (inside,) = workers(district.union_b, 1, "i")
    (outsider,) = workers(district.union_a, 1, "o")
    survey = satisfaction_survey(district)
    with pytest.raises(PermissionDenied, match="不在此问卷"):
        answer(survey, outsider)
    with pytest.raises(PermissionDenied):
        services.response_submit(actor=district.user("town_b"), survey=survey, raw={}, person=inside.person)
    services.survey_close(actor=district.user("town_b"), survey=survey)
    with pytest.raises(ValidationError, match="已结束"):
        answer(Survey.objects.get(pk=survey.pk), inside)
    assert Response.objects.count() == 0


def test_results_and_rates(district):
    users = workers(district.union_b, 4, "r")
    survey = satisfaction_survey(district)
    for user, score in zip(users[:3], [5, 4, 3], strict=True):
        answer(survey, user, score=score, hours="6")
    results = selectors.survey_results(survey)
    by_position = {r.question.position: r for r in results.questions}
    assert results.responses == 3 and not results.hidden
    assert by_position[2].mean == 4 and [o.count for o in by_position[2].options] == [0, 0, 1, 1, 1]
    assert by_position[1].options[0].count == 3 and by_position[1].options[0].share == 100
    assert by_position[4].mean == 6
    (rate,) = selectors.response_rates(survey)
    assert (rate.sent, rate.answered, rate.rate) == (4, 3, 75)


def test_figures_for_the_assessment(district):
    users_b = workers(district.union_b, 3, "fb")
    survey = satisfaction_survey(district)
    answer(survey, users_b[0], score=5)  # 100
    answer(survey, users_b[1], score=3)  # 50
    today = timezone.localdate()
    figures = selectors.survey_figures(today - timedelta(days=1), today)
    f = figures[district.union_b.pk]
    assert (f.sent, f.answered, f.satisfaction_answers, f.satisfaction) == (3, 2, 2, 75)
    assert f.rate == Decimal("66.7")
    assert selectors.survey_figures(today + timedelta(days=1), today + timedelta(days=9)) == {}
    assert district.union_a.pk not in selectors.survey_figures(today, today, [district.union_a.pk])
