"""顺义工匠 pages: the list and its export, the selection's page, each step posted by the right person,
refusals as messages that change nothing, scope (404 outside), and the query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import craftsmen_services as cs
from activities.craftsmen import CraftsmanSelection, Nomination, Objection
from members.models import Honour
from members.tests.factories import member
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
DEEDS = "带领班组攻克叉车液压系统故障难题，年节约维修费用二十余万元，培养徒弟十二名。"


def _open(district) -> CraftsmanSelection:
    return cs.selection_open(
        actor=district.user("econ"), organiser=district.root, year=2026, quota=1,
        nominations_close=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_district_opens_a_selection_from_the_list(client, district):
    client.force_login(district.user("econ"))
    close = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post("/activities/craftsmen/", {"year": "2026", "quota": "10", "nominations_close": close})
    assert response.status_code == 302
    selection = CraftsmanSelection.objects.get()
    assert (selection.year, selection.quota, selection.organiser) == (2026, 10, district.root)
    page = client.get("/activities/craftsmen/")
    assert "2026年度" in page.content.decode() and "推荐中" in page.content.decode()
    client.force_login(district.user("town_a"))
    client.post("/activities/craftsmen/", {"year": "2027", "quota": "10", "nominations_close": close})
    assert CraftsmanSelection.objects.count() == 1  # a town has no such form: nothing is created


def test_a_town_nominates_on_the_open_call_and_a_wrong_id_changes_nothing(client, district):
    selection = _open(district)
    person = member(district.union_a, name="张师傅").person
    client.force_login(district.user("town_a"))
    assert client.get(f"/activities/craftsmen/{selection.pk}/").status_code == 200
    form = {
        "union": district.union_a.pk,
        "name": "张师傅",
        "id_number": person.id_number,
        "trade": "钳工",
        "deeds": DEEDS,
    }
    wrong = client.post(f"/activities/craftsmen/{selection.pk}/nominate/", {**form, "name": "李师傅"}, follow=True)
    assert "姓名与身份证号不符" in _messages(wrong)
    assert not Nomination.objects.exists()
    done = client.post(f"/activities/craftsmen/{selection.pk}/nominate/", form, follow=True)
    assert "已推荐张师傅" in _messages(done)
    assert Nomination.objects.get().person == person
    # town B sees the call but not town A's nominee
    client.force_login(district.user("town_b"))
    page = client.get(f"/activities/craftsmen/{selection.pk}/").content.decode()
    assert "张师傅" not in page
    assert "张师傅" not in client.get("/activities/craftsmen/").content.decode()


def test_every_step_through_the_page(client, district):
    selection = _open(district)
    first = member(district.union_a, name="张师傅").person
    second = member(district.union_a, name="李师傅").person
    for person in (first, second):
        cs.nomination_add(
            actor=district.user("chair_a"), selection=selection, union=district.union_a, person=person,
            trade="钳工", deeds=DEEDS,
        )  # fmt: skip
    url = f"/activities/craftsmen/{selection.pk}"
    econ = district.user("econ")
    client.force_login(econ)
    early = client.post(f"{url}/award/", {"awarded_on": timezone.localdate().isoformat()}, follow=True)
    assert "推荐中，不能授予" in _messages(early)
    client.post(f"{url}/close/")
    one, two = Nomination.objects.order_by("pk")
    for key, scores in (("admin", ("90", "70")), ("econ", ("92", "75")), ("org_dept", ("94", "80"))):
        client.force_login(district.user(key))
        response = client.post(
            f"{url}/score/", {f"score-{one.pk}": scores[0], f"score-{two.pk}": scores[1]}, follow=True
        )
        assert "已保存 2 项评分" in _messages(response), key
    client.force_login(econ)
    bad = client.post(f"{url}/score/", {f"score-{one.pk}": "NaN"}, follow=True)
    assert "评分应为 0–100" in _messages(bad)
    today = timezone.localdate()
    short = client.post(
        f"{url}/publish/", {"notice_starts": today.isoformat(), "notice_ends": (today + timedelta(2)).isoformat()},
        follow=True,
    )  # fmt: skip
    assert "公示期不少于 5 天" in _messages(short)
    client.post(
        f"{url}/publish/", {"notice_starts": today.isoformat(), "notice_ends": (today + timedelta(6)).isoformat()}
    )
    one.refresh_from_db()
    assert (one.rank, one.outcome) == (1, Nomination.Outcome.SHORTLISTED)
    page = client.get(f"{url}/").content.decode()
    assert "92.00" in page and "公示中" in page
    client.post(f"{url}/objection/", {"nomination": one.pk, "received_on": today.isoformat(), "content": "事迹不实"})
    objection = Objection.objects.get()
    client.post(f"{url}/decide/", {"objection": objection.pk, "upheld": "0", "note": "经核实不属实"})
    objection.refresh_from_db()
    assert objection.finding == Objection.Finding.DISMISSED
    refused = client.post(f"{url}/award/", {"awarded_on": today.isoformat()}, follow=True)
    assert "公示期满后才能授予" in _messages(refused)
    CraftsmanSelection.objects.filter(pk=selection.pk).update(
        notice_starts=today - timedelta(10), notice_ends=today - timedelta(2)
    )
    done = client.post(f"{url}/award/", {"awarded_on": today.isoformat()}, follow=True)
    assert "已授予 1 人" in _messages(done)
    honour = Honour.objects.get()
    assert (honour.person, honour.title, honour.level) == (first, Honour.Title.CRAFTSMAN, Honour.Level.DISTRICT)


def test_outside_scope_and_odd_input(client, district):
    selection = _open(district)
    nominee = member(district.union_a, name="张师傅").person
    cs.nomination_add(
        actor=district.user("chair_a"), selection=selection, union=district.union_a, person=nominee,
        trade="钳工", deeds=DEEDS,
    )  # fmt: skip
    cs.nominations_close(actor=district.user("econ"), selection=selection)
    client.force_login(district.user("town_a"))
    # once nominations close the selection is the district's: a town gets 404
    assert client.get(f"/activities/craftsmen/{selection.pk}/").status_code == 404
    assert client.post(f"/activities/craftsmen/{selection.pk}/close/").status_code == 404
    client.force_login(district.user("econ"))
    assert client.get("/activities/craftsmen/999999999999999999999999999999/").status_code == 404
    assert client.post(f"/activities/craftsmen/{selection.pk}/explode/").status_code == 404
    odd = client.post(
        f"/activities/craftsmen/{selection.pk}/score/", {"score-99999999999999999999999": "90"}, follow=True
    )
    assert odd.status_code == 200 and "请选择被推荐人" in _messages(odd)
    assert client.get("/activities/craftsmen/?year=0").status_code == 200
    export = client.get("/activities/craftsmen/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


BUDGETS = load_budgets(__file__)


@pytest.mark.parametrize("key", ["craftsmen", "selection"])
def test_craftsmen_query_budget_constant(client, district, key):
    """The list and the selection's page cost the same number of queries with 3 or 12 nominees."""
    selection = _open(district)
    cs_url = {"craftsmen": "/activities/craftsmen/", "selection": f"/activities/craftsmen/{selection.pk}/"}[key]
    client.force_login(district.user("econ"))
    counts = []
    for target in (3, 12):
        while selection.nominations.count() < target:
            cs.nomination_add(
                actor=district.user("chair_a"), selection=selection, union=district.union_a,
                person=member(district.union_a).person, trade="钳工", deeds=DEEDS,
            )  # fmt: skip
        client.get(cs_url)
        n, response = count_queries(client, cs_url)
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS[key], counts
