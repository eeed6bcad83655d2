"""The events API: scoped reads, organising, report and review with the services' refusals as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity
from activities.tests.factories import competition, held
from members.tests.factories import member

pytestmark = pytest.mark.django_db


def test_events_are_scoped_and_created_through_the_service(client, district):
    a = competition(district)
    b = competition(district, organisation=district.town_b, co_organisers=[])
    client.force_login(district.user("town_a"))
    rows = client.get("/api/v1/activities/events/").json()["results"]
    assert [r["id"] for r in rows] == [a.pk] and rows[0]["co_organisers"] == [district.youth.code]
    assert client.get(f"/api/v1/activities/events/{b.pk}/").status_code == 404
    today = timezone.localdate()
    body = {
        "organisation": district.town_a.code,
        "title": "砌筑工技能大赛",
        "kind": "competition",
        "held_on": (today + timedelta(days=3)).isoformat(),
        "co_organisers": [district.women.code],
    }
    r = client.post("/api/v1/activities/events/", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["co_organisers"] == [district.women.code]
    r = client.post(
        "/api/v1/activities/events/", {**body, "organisation": district.town_b.code}, content_type="application/json"
    )
    assert r.status_code == 400 and "organisation" in r.json()
    r = client.post(
        "/api/v1/activities/events/",
        {**body, "co_organisers": [district.union_a.code]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "co_organisers" in r.json()
    r = client.post("/api/v1/activities/events/", {**body, "held_on": "0000-01-01"}, content_type="application/json")
    assert r.status_code == 400
    assert Activity.objects.count() == 3


def test_report_review_and_results_by_api(client, district):
    event = competition(district, organisation=district.union_a, actor=district.user("chair_a"), co_organisers=[])
    reg = services.registration_add(
        actor=district.user("chair_a"), activity=event, person=member(district.union_a).person
    )
    held(event)
    services.attendance_record(actor=district.user("chair_a"), activity=event, attended=[reg.pk])
    client.force_login(district.user("chair_a"))
    r = client.post(f"/api/v1/activities/events/{event.pk}/report/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "reported" and r.json()["participants"] == 1
    r = client.post(f"/api/v1/activities/events/{event.pk}/review/", {"approve": True}, content_type="application/json")
    assert r.status_code == 403  # the chair holds no review action
    client.force_login(district.user("town_a"))
    r = client.post(
        f"/api/v1/activities/events/{event.pk}/review/", {"approve": False}, content_type="application/json"
    )
    assert r.status_code == 400 and "review_note" in r.json()
    r = client.post(f"/api/v1/activities/events/{event.pk}/review/", {"approve": True}, content_type="application/json")
    assert r.json()["state"] == "reviewed"
    regs = client.get("/api/v1/activities/registrations/", {"activity": event.pk}).json()["results"]
    assert [(x["id"], x["attended"]) for x in regs] == [(reg.pk, True)]
    client.force_login(district.user("town_b"))
    assert client.get("/api/v1/activities/registrations/").json()["results"] == []
    assert client.get(f"/api/v1/activities/registrations/{reg.pk}/").status_code == 404
