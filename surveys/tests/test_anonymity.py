"""Anonymous surveys: the tables themselves hold no link from an answer to a person.

Checked on the database, not the models: the columns and foreign keys of every table, the values
stored, the physical order of the rows, the pending buffer, and the audit trail."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from core.models import AuditEvent
from surveys import selectors, services
from surveys.models import MIN_GROUP, Answer, Invitation, PendingResponse, Response
from surveys.tests.factories import answer, satisfaction_survey, workers

pytestmark = pytest.mark.django_db

PERSONAL_TABLES = {"members_person", "core_user", "members_membership"}


def _foreign_tables(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}


def _columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        return {
            col.name: connection.introspection.get_field_type(col.type_code, col)
            for col in connection.introspection.get_table_description(cursor, table)
        }


def _physical_order(table: str) -> list[str]:
    """The ids in the order the rows lie in the table (SQLite's rowid, PostgreSQL's ctid)."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY {position}")
        return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]


@pytest.fixture
def answered(district):
    """An anonymous survey of 西泗上村 answered by 7 of its 8 members, scores 1,2,3,4,5,1,2 in order."""
    users = workers(district.union_b, 8, "anon")
    survey = satisfaction_survey(district, anonymous=True)
    audit_before = AuditEvent.objects.count()
    for user, score in zip(users[:7], [1, 2, 3, 4, 5, 1, 2], strict=True):
        answer(
            survey, user, score=score, reason="匿名原因" if score == 1 else "", contract="否" if score == 1 else "是"
        )
    return survey, users, audit_before


def test_no_table_joins_answers_to_people():
    answer_side = {"surveys_response", "surveys_answer", "surveys_pendingresponse"}
    # the response's only personal reference is the person of a named survey (null when anonymous,
    # a database constraint, below); the answers and the buffer reference no personal table
    assert _foreign_tables("surveys_response") & PERSONAL_TABLES == {"members_person"}
    # no other table references an answer table (so none can pair a person with one)
    for model in apps.get_models():
        table = model._meta.db_table
        refs = _foreign_tables(table)
        if refs & answer_side and table not in answer_side:
            pytest.fail(f"{table} references an answer table")
    assert _foreign_tables("surveys_invitation").isdisjoint(answer_side)
    assert _foreign_tables("surveys_answer") == {"surveys_response", "surveys_question"}
    assert _foreign_tables("surveys_pendingresponse") == {"surveys_survey"}
    # no history table copies these rows with a user and a time
    assert not [m for m in apps.get_app_config("surveys").get_models() if m.__name__.startswith("Historical")]


def test_the_stored_rows_carry_no_person_no_time_no_sequence(answered):
    survey, _users, audit_before = answered
    responses = list(Response.objects.filter(survey=survey).values())
    assert len(responses) == MIN_GROUP  # one full batch written; 2 answers wait in the buffer
    assert PendingResponse.objects.filter(survey=survey).count() == 2
    for row in responses:
        assert row["person_id"] is None and row["submitted_on"] is None and row["anonymous"]
        assert uuid.UUID(str(row["id"])).version == 4  # random, no sequence
    # no clock finer than the day, and no autoincrement, in either table
    for table in ("surveys_response", "surveys_answer", "surveys_pendingresponse"):
        kinds = _columns(table)
        assert not {"DateTimeField", "TimeField", "AutoField", "BigAutoField"} & set(kinds.values()), table
    assert [c for c, k in _columns("surveys_response").items() if k == "DateField"] == ["submitted_on"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM surveys_response WHERE person_id IS NOT NULL OR submitted_on IS NOT NULL")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*) FROM surveys_invitation WHERE answered_on IS NOT NULL")
        assert cursor.fetchone()[0] == 0
        # the buffer is encrypted: the text typed by a member is not readable in it
        cursor.execute("SELECT payload FROM surveys_pendingresponse")
        assert all("匿名原因" not in p and p.startswith("v1:") for (p,) in cursor.fetchall())
    # who answered is known (the rate), what they answered is not linked to them
    assert Invitation.objects.filter(survey=survey, answered=True).count() == 7
    # nothing was written to the audit trail by answering, let alone a response id
    assert AuditEvent.objects.count() == audit_before
    ids = {str(r["id"]) for r in responses}
    assert not any(i in str(e.detail) + e.summary for e in AuditEvent.objects.all() for i in ids)


def test_the_database_refuses_a_person_or_a_date_on_an_anonymous_response(answered, district):
    survey, users, _ = answered
    for extra in ({"person": users[0].person}, {"submitted_on": survey.sent_on}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Response.objects.create(survey=survey, organisation=district.union_b, anonymous=True, **extra)


def test_row_order_follows_the_shuffle_not_the_submissions(district, monkeypatch):
    """The batch is written in the order the shuffle gives, so the table's own order (rowid/ctid)
    tells nothing about who answered first. Here the shuffle is made to reverse the batch."""

    class Reverse:
        def shuffle(self, items):
            items.reverse()

    monkeypatch.setattr("surveys.services.random.SystemRandom", Reverse)
    users = workers(district.union_b, MIN_GROUP, "ord")
    survey = satisfaction_survey(district, anonymous=True)
    for user, score in zip(users, [1, 2, 3, 4, 5], strict=True):
        answer(survey, user, score=score, contract="否" if score == 1 else "是", reason="原因" if score == 1 else "")
    scale = survey.questions.get(position=2)
    score_of = {str(a.response_id): int(a.number) for a in Answer.objects.filter(question=scale)}
    assert [score_of[i] for i in _physical_order("surveys_response")] == [5, 4, 3, 2, 1]


def test_closing_writes_the_rest_and_small_groups_stay_hidden(answered, district):
    survey, _users, _ = answered
    assert not selectors.survey_results(survey).hidden  # 5 written
    services.survey_close(actor=district.user("town_b"), survey=survey)
    assert PendingResponse.objects.count() == 0 and Response.objects.filter(survey=survey).count() == 7
    results = {r.question.position: r for r in selectors.survey_results(survey).questions}
    assert [o.count for o in results[2].options] == [2, 2, 1, 1, 1]


def test_a_survey_with_fewer_than_five_answers_shows_no_results(district):
    users = workers(district.union_b, 3, "few")
    survey = satisfaction_survey(district, anonymous=True)
    for user in users:
        answer(survey, user, score=5)
    services.survey_close(actor=district.user("town_b"), survey=survey)
    assert Response.objects.filter(survey=survey).count() == 3
    assert selectors.survey_results(survey).hidden
    # the assessment figures leave out a group of fewer than five anonymous answers too
    figures = selectors.survey_figures(survey.sent_on, survey.sent_on)
    assert figures[district.union_b.pk].satisfaction is None and figures[district.union_b.pk].answered == 3
