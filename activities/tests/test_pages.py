"""The event pages: organising, the organiser's steps, the review, the figures and the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities import services
from activities.models import Activity, Registration
from activities.tests.factories import competition, held
from members.models import Honour
from members.tests.factories import member
from members.tests.xlsx_helpers import write_rows
from orgs.roles import Perm
from orgs.testing import EXPORT, LIST, ScopedRoute, check_route, count_queries, load_budgets

pytestmark = pytest.mark.django_db


def test_create_page_makes_a_competition_with_a_partner(client, district):
    client.force_login(district.user("econ"))
    assert client.get("/activities/new/").status_code == 200
    today = timezone.localdate()
    data = {
        "organisation": district.town_a.pk,
        "title": "叉车技能大赛",
        "kind": "competition",
        "skill": "叉车",
        "held_on": (today + timedelta(days=5)).isoformat(),
        "registration_opens": today.isoformat(),
        "registration_closes": (today + timedelta(days=3)).isoformat(),
        "capacity": "30",
        "co_organisers": [district.youth.pk],
    }
    r = client.post("/activities/new/", data)
    event = Activity.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/activities/{event.pk}/"
    assert list(event.co_organisers.all()) == [district.youth] and event.capacity == 30
    r = client.post("/activities/new/", {**data, "co_organisers": [district.union_b.pk]})
    assert r.status_code == 200 and Activity.objects.count() == 1
    r = client.post("/activities/new/", {**data, "organisation": "9" * 30})
    assert r.status_code == 200 and Activity.objects.count() == 1
    client.force_login(district.user("town_b"))
    r = client.post("/activities/new/", data)
    assert r.status_code == 200 and Activity.objects.count() == 1  # town A is not a choice for town B


def test_steps_on_the_event_page(client, district, tmp_path):
    event = competition(district, capacity=5)
    people = [member(district.union_a).person for _ in range(3)]
    client.force_login(district.user("econ"))
    book = write_rows(tmp_path / "r.xlsx", [[p.name, p.id_number] for p in people], ["姓名", "身份证号"])
    r = client.post(f"/activities/{event.pk}/import/", {"file": SimpleUploadedFile("r.xlsx", book.read_bytes())})
    assert r.status_code == 302 and event.registrations.count() == 3
    held(event)
    regs = list(event.registrations.order_by("pk"))
    client.post(f"/activities/{event.pk}/attendance/", {"attended": [r.pk for r in regs]})
    assert event.registrations.filter(attended=True).count() == 3
    scores = {f"score-{regs[0].pk}": "91", f"score-{regs[1].pk}": "95", f"score-{regs[2].pk}": "91"}
    client.post(f"/activities/{event.pk}/results/", scores)
    assert [r.rank for r in event.registrations.order_by("pk")] == [2, 1, 2]
    r = client.post(f"/activities/{event.pk}/results/", {f"score-{regs[0].pk}": "NaN"})
    assert Registration.objects.get(pk=regs[0].pk).score == 91  # refused, nothing changed
    today = timezone.localdate().isoformat()
    client.post(f"/activities/{event.pk}/awards/", {"awarded_on": today, f"award-{regs[1].pk}": "first"})
    honour = Honour.objects.get(person=people[1])
    page = client.get(f"/members/{people[1].pk}/")
    assert "叉车技能大赛 一等奖（第 1 名）" in page.content.decode()
    detail = client.get(f"/activities/{event.pk}/").content.decode()
    assert "一等奖" in detail and "区团委" in detail
    client.force_login(district.user("admin"))
    r = client.post(f"/members/{people[1].pk}/honours/{honour.pk}/delete/")
    assert (
        r.status_code == 302 and Honour.objects.filter(pk=honour.pk).exists()
    )  # an award's honour stays (refused, not a 500)
    client.force_login(district.user("econ"))
    client.post(f"/activities/{event.pk}/report/", {})
    event.refresh_from_db()
    assert event.state == Activity.State.REPORTED and event.participants == 3
    client.post(f"/activities/{event.pk}/review/", {"decision": "approve"})
    event.refresh_from_db()
    assert event.state == Activity.State.REPORTED  # the econ officer reported it: not their review
    client.force_login(district.user("admin"))
    client.post(f"/activities/{event.pk}/review/", {"decision": "approve"})
    event.refresh_from_db()
    assert event.state == Activity.State.REVIEWED
    assert client.post(f"/activities/{event.pk}/unknown/").status_code == 404


def test_town_b_cannot_touch_town_a_events(client, district):
    event = competition(district)
    client.force_login(district.user("town_b"))
    for step in ("", "import/", "attendance/", "results/", "awards/", "report/", "review/"):
        method = client.get if not step else client.post
        assert method(f"/activities/{event.pk}/{step}").status_code == 404


def test_figures_page_counts_the_subtree(client, district):
    event = services.activity_report(
        actor=district.user("chair_a"),
        organisation=district.union_a,
        title="健步走",
        kind="member",
        held_on=timezone.localdate() - timedelta(days=2),
        participants=60,
    )
    client.force_login(district.user("town_a"))
    params = {
        "root": district.town_a.pk,
        "start": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "end": timezone.localdate().isoformat(),
    }
    r = client.get("/activities/figures/", params)
    assert r.context["result"]["figures"].events == 0  # not reviewed yet
    services.event_review(actor=district.user("town_a"), activity=event, approve=True)
    r = client.get("/activities/figures/", params)
    assert r.context["result"]["figures"].events == 1 and r.context["result"]["figures"].headcount == 60
    r = client.get("/activities/figures/", {**params, "root": district.town_b.pk})
    assert r.context["result"] is None  # town B is not a choice for town A
    r = client.get("/activities/figures/", {**params, "start": "0000-01-01"})
    assert r.status_code == 200 and r.context["result"] is None


def test_portal_registration(client, district):
    event = competition(district)
    m = member(district.union_a)
    m.person.user = district.user("worker_a")
    m.person.save()
    client.force_login(district.user("worker_a"))
    page = client.get("/portal/activities/")
    assert page.status_code == 200 and "叉车技能大赛" in page.content.decode()
    r = client.post(f"/portal/activities/{event.pk}/register/")
    assert r.status_code == 302 and event.registrations.get().person == m.person
    client.post(f"/portal/activities/{event.pk}/register/")
    assert event.registrations.count() == 1
    other = competition(district, organisation=district.town_b, co_organisers=[])
    assert client.post(f"/portal/activities/{other.pk}/register/").status_code == 404  # not open to them
    client.force_login(district.user("town_a"))
    assert client.get("/portal/activities/").status_code == 403


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute(
            "registration list", LIST, Perm.MEMBER_VIEW, lambda r: "/activities/registrations/", lambda r: r.person.name
        ),
        ScopedRoute(
            "registration export",
            EXPORT,
            Perm.MEMBER_EXPORT,
            lambda r: "/activities/registrations/?export=xlsx",
            lambda r: r.person.name,
        ),
    ],
    ids=lambda r: r.name,
)
def test_registration_scope_matrix(client, district, route):
    a = competition(district, organisation=district.union_a, actor=district.user("chair_a"), co_organisers=[])
    b = competition(district, organisation=district.union_b, actor=district.user("town_b"), co_organisers=[])
    ra = services.registration_add(
        actor=district.user("chair_a"), activity=a, person=member(district.union_a, name="甲报名人").person
    )
    rb = services.registration_add(
        actor=district.user("town_b"), activity=b, person=member(district.union_b, name="乙报名人").person
    )
    inside = {"admin": ra, "econ": rb, "town_a": ra, "chair_a": ra}
    outside = {"town_a": rb, "town_b": ra, "chair_a": rb}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


BUDGETS = load_budgets(__file__)


@pytest.mark.parametrize("key", sorted(set(BUDGETS) - {"craftsmen", "selection"}))  # those: test_craftsmen_pages
def test_query_budget_constant(client, district, key):
    """Every page costs the same number of queries with 3 or 30 events and registrations."""
    event = competition(district, capacity=None)
    urls = {
        "list": "/activities/",
        "registrations": "/activities/registrations/",
        "detail": f"/activities/{event.pk}/",
        "figures": f"/activities/figures/?root={district.town_a.pk}&start=2026-01-01&end=2026-12-31",
        "portal": "/portal/activities/",
        "api_events": "/api/v1/activities/events/",
        "api_registrations": "/api/v1/activities/registrations/",
    }
    worker = member(district.union_a).person
    worker.user = district.user("worker_a")
    worker.save()
    counts = []
    for target in (3, 30):
        while event.registrations.count() < target:
            services.registration_add(
                actor=district.user("econ"), activity=event, person=member(district.union_a).person
            )
            competition(district, capacity=None, title=f"活动{event.registrations.count()}")
            services.registration_self(actor=district.user("worker_a"), activity=Activity.objects.latest("pk"))
        client.force_login(district.user("worker_a" if key == "portal" else "econ"))
        client.get(urls[key])  # warm up process-wide caches
        n, response = count_queries(client, urls[key])
        assert response.status_code == 200, key
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS[key], counts
