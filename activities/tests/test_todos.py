"""Workbench to-dos of 顺义工匠 reviewers and organisers and of innovation items (issue 13): each shown to
whoever holds the step's action in their scope, each count equal to the rows behind its link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from activities import craftsmen_services as cs
from activities import innovation_services as inn
from activities.innovation import InnovationItem
from activities.tests.innovation_helpers import IMMEDIATE, reward_programmes, submit
from activities.tests.test_craftsmen import DEEDS, _nominate, _notice_over, _open, _published, _score_all
from dashboard.selectors import todos
from funds import services as funds_services
from funds.models import Cycle
from members.tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def _todo(user, key):
    return {t.key: t for t in todos(user)}.get(key)


def behind(client, user, key) -> list[int]:
    """The primary keys of the rows the to-do's link opens, as ``user`` (each count's proof)."""
    todo = _todo(user, key)
    assert todo is not None, f"{key} not on {user.username}'s workbench"
    client.force_login(user)
    response = client.get(todo.url)
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.count == todo.count  # the count the workbench shows is the list's count
    return sorted(row.record.pk for row in table.page.object_list)


def test_reviewers_see_the_nominees_they_have_not_scored(client, district):
    selection = _open(district)
    first, second = _nominate(district, selection, "张师傅"), _nominate(district, selection, "李师傅")
    own = cs.nomination_add(
        actor=district.user("admin"), selection=selection, union=district.union_a,
        person=member(district.union_a, name="王师傅").person, trade="焊工", deeds=DEEDS,
    )  # fmt: skip
    assert _todo(district.user("econ"), "craftsmen-score") is None  # nominations still open: nothing to score
    cs.nominations_close(actor=district.user("econ"), selection=selection)
    assert behind(client, district.user("econ"), "craftsmen-score") == sorted([first.pk, second.pk, own.pk])
    # the administrator nominated 王师傅: never theirs to score (score_record refuses it)
    assert behind(client, district.user("admin"), "craftsmen-score") == sorted([first.pk, second.pk])
    cs.score_record(actor=district.user("econ"), nomination=first, score="90")
    assert behind(client, district.user("econ"), "craftsmen-score") == sorted([second.pk, own.pk])
    for key in ("town_a", "town_b", "chair_a", "worker_a", "finance", "auditor"):  # no review at the district
        assert _todo(district.user(key), "craftsmen-score") is None, key
    _score_all(district, second, ["80", "81", "82"])
    assert behind(client, district.user("econ"), "craftsmen-score") == [own.pk]


def test_objections_to_decide_and_notices_ended_awaiting_award(client, district):
    selection, first, second = _published(district)
    econ = district.user("econ")
    selection.refresh_from_db()
    assert _todo(econ, "craftsmen-award") is None  # the notice period runs: nothing to award yet
    cs.objection_record(actor=econ, nomination=first, received_on=selection.notice_starts, objector="匿名",
                        content="反映其事迹材料有夸大")  # fmt: skip
    cs.objection_record(actor=econ, nomination=first, received_on=selection.notice_starts, objector="同事",
                        content="同一事项的第二封来信")  # fmt: skip
    assert behind(client, econ, "craftsmen-objection") == [first.pk]  # one nominee, however many letters
    for key in ("town_a", "town_b", "chair_a", "worker_a", "finance"):  # not the organiser's managers
        assert _todo(district.user(key), "craftsmen-objection") is None, key
    _notice_over(selection)
    assert _todo(econ, "craftsmen-award") is not None and behind(client, econ, "craftsmen-award") == [first.pk]
    for objection in first.objections.all():
        cs.objection_decide(actor=econ, objection=objection, upheld=False, note="经核实事迹属实")
    assert _todo(econ, "craftsmen-objection") is None
    assert _todo(district.user("town_a"), "craftsmen-award") is None
    selection.refresh_from_db()
    cs.selection_award(actor=econ, selection=selection, awarded_on=selection.notice_ends + timedelta(days=1))
    assert _todo(econ, "craftsmen-award") is None  # awarded: done
    second.refresh_from_db()
    assert second.outcome == "not_selected"


def test_innovation_items_wait_for_the_union_above_then_finance(client, district):
    reward_programmes(district)
    a1 = submit(district, person=member(district.union_a).person)
    a2 = submit(district, actor="chair_a")  # the unit's own item
    town = submit(district, union=district.town_a, actor="town_a")  # graded by the district
    # the town above union A grades its items; the district may grade everything below it
    assert behind(client, district.user("town_a"), "innovation-grade") == sorted([a1.pk, a2.pk])
    assert behind(client, district.user("econ"), "innovation-grade") == sorted([a1.pk, a2.pk, town.pk])
    for key in ("town_b", "chair_a", "worker_a", "finance", "auditor"):  # neighbour, submitter, no review
        assert _todo(district.user(key), "innovation-grade") is None, key
    inn.item_grade(actor=district.user("town_a"), item=a1, grade=InnovationItem.Grade.SECOND, opinion="同意二等")
    inn.item_grade(actor=district.user("town_a"), item=a2, grade=InnovationItem.Grade.NONE, opinion="效益不明显")
    assert _todo(district.user("town_a"), "innovation-grade") is None
    # the prize's cycle is computed: finance reviews it (then signs it: the cycle's own to-do)
    finance = district.user("finance")
    assert behind(client, finance, "innovation-reward") == [a1.pk]
    assert _todo(district.user("town_a"), "innovation-reward") is None  # no funds action
    a1.refresh_from_db()
    funds_services.cycle_review(actor=finance, cycle=Cycle.objects.get(pk=a1.cycle_id))
    assert _todo(finance, "innovation-reward") is None


def test_the_workbench_links_each_to_do(client, district):
    reward_programmes(district)
    submit(district, person=member(district.union_a).person)
    client.force_login(district.user("town_a"))
    html = client.get(reverse("dashboard:home")).content.decode()
    url = reverse("activities:innovations") + "?todo=grade"
    assert f'href="{url}" data-testid="todo-innovation-grade"' in html and "待我评审的创新项目" in html
    client.force_login(district.user("town_b"))
    assert "todo-innovation-grade" not in client.get(reverse("dashboard:home")).content.decode()


def test_an_unknown_to_do_shows_no_rows(client, district):
    client.force_login(district.user("econ"))
    response = client.get(reverse("activities:craftsmen") + "?todo=everything")
    assert response.status_code == 200 and response.context["table"].paginator.count == 0
    response = client.get(reverse("activities:innovations") + "?todo=" + "9" * 30)
    assert response.status_code == 200 and response.context["table"].paginator.count == 0
