"""The state machine is the one statement of which step may be taken from which state, by whom:
the detail page offers exactly its available steps, and the services refuse every other one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals import services
from appeals.models import Appeal, TimelineEntry
from appeals.tests.factories import fresh, make_appeal, make_person, run_to
from appeals.views import _actions

S = Appeal.State
ALL = ("contact", "note", "attach", "refer", "invalid", "feedback", "rate")
OFFICER = {
    S.REGISTERED: {"contact", "note", "attach", "invalid"},
    S.CONTACTED: {"note", "attach", "refer", "invalid"},
    S.COORDINATING: {"note", "attach", "refer", "invalid"},
    S.HANDLING: {"note", "attach", "refer", "feedback"},
    S.FED_BACK: {"note", "attach", "rate"},
    S.CLOSED: set(),
}
OWN_WORKER = {state: ({"attach", "rate"} & steps) for state, steps in OFFICER.items()}
pytestmark = pytest.mark.django_db


def offered(user, appeal: Appeal) -> set[str]:
    flags = _actions(user, appeal, [])
    return {step for step in ALL if flags[step]}


def attempt(step: str, user, appeal: Appeal, district) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    calls = {
        "contact": lambda: services.appeal_contact(actor=user, appeal=appeal, note="已联系"),
        "note": lambda: services.appeal_note(actor=user, appeal=appeal, note="记录"),
        "attach": lambda: services.attachment_add(
            actor=user, appeal=appeal, files=[SimpleUploadedFile("说明.txt", "情况说明".encode())]
        ),
        "refer": lambda: services.appeal_refer(actor=user, appeal=appeal, co_handlers=[district.women]),
        "invalid": lambda: services.appeal_mark_invalid(actor=user, appeal=appeal, reason="重复"),
        "feedback": lambda: services.appeal_feedback(actor=user, appeal=appeal, result="已办", resolved=True),
        "rate": lambda: services.appeal_rate(actor=user, appeal=appeal, rating=Appeal.Rating.SATISFIED),
    }
    calls[step]()


@pytest.fixture
def worker(district):
    user = district.user("worker_a")
    return user, make_person(district.union_a, user=user)


@pytest.mark.parametrize("state", list(OFFICER))
def test_offered_steps_per_state_and_person(district, worker, state) -> None:
    user, person = worker
    appeal = run_to(district, make_appeal(district, worker=person), state)
    assert offered(district.user("rights"), appeal) == OFFICER[state]
    assert offered(user, appeal) == OWN_WORKER[state]
    for outsider in ("town_b", "youth", "auditor", "nobody"):
        assert offered(district.user(outsider), appeal) == set()


@pytest.mark.parametrize("state", list(OFFICER))
def test_every_step_not_offered_is_refused_and_changes_nothing(district, worker, state) -> None:
    user, person = worker
    appeal = run_to(district, make_appeal(district, worker=person), state)
    for who in (district.user("rights"), user, district.user("town_b")):
        for step in sorted(set(ALL) - offered(who, appeal)):
            entries = TimelineEntry.objects.filter(appeal=appeal).count()
            with pytest.raises((ValidationError, PermissionDenied)):
                attempt(step, who, fresh(appeal), district)
            assert fresh(appeal).state == state, (who, step)
            assert TimelineEntry.objects.filter(appeal=appeal).count() == entries, (who, step)


def test_system_steps_are_never_offered(district) -> None:
    appeal = run_to(district, make_appeal(district), S.COORDINATING)
    names = {t.name for t in appeal.get_available_user_state_transitions(district.user("admin"))}
    assert "t_handle" not in names and names >= {"t_refer", "t_note"}
    assert {t.name for t in appeal.get_available_state_transitions()} >= {"t_handle"}


def test_referral_buttons_come_from_the_referral_machine(district) -> None:
    appeal = run_to(district, make_appeal(district), S.COORDINATING)
    ref = appeal.referrals.get()
    handler, other = district.user("admin"), district.user("town_b")
    assert _actions(handler, appeal, [ref])["referrals"][ref.pk] == {"accept": True, "complete": False, "return": True}
    assert ref.pk not in _actions(other, appeal, [ref])["referrals"]
    services.referral_accept(actor=handler, referral=ref)
    ref = appeal.referrals.get()
    assert _actions(handler, fresh(appeal), [ref])["referrals"][ref.pk] == {
        "accept": False,
        "complete": True,
        "return": True,
    }


def test_timeline_actions_are_the_declared_choices(district) -> None:
    appeal = run_to(district, make_appeal(district), S.CLOSED)
    stored = set(appeal.timeline.values_list("action", flat=True))
    assert stored <= set(TimelineEntry.Action.values)
    assert {"登记", "联系职工", "转办", "受理", "办理", "反馈", "回访评价"} <= stored
    assert TimelineEntry.Action("登记").label == "登记"  # the stored word is its own Chinese label
