"""The events API: scoped reads, organising, report and review with the services' refusals as JSON."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity
from activities.studios import StudioOutput
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


def test_studios_and_their_yearly_output_are_scoped_like_the_pages(client, district):
    from activities import studios_services as ss

    year = timezone.localdate().year
    studios = {}
    for side, union, officer in (("a", district.union_a, "town_a"), ("b", district.union_b, "town_b")):
        leader = member(union, name=f"{side}领办人").person
        studios[side] = ss.studio_create(
            actor=district.user(officer), union=union, kind="innovation", name=f"{side}创新工作室", leader=leader,
            level="district", plaque_on=date(2024, 4, 28), field="数控",
        )  # fmt: skip
        ss.output_record(
            actor=district.user(officer), studio=studios[side], year=year, innovations=3, trainees=9, patents=1
        )
    ss.output_record(
        actor=district.user("town_a"), studio=studios["a"], year=2025, innovations=1, trainees=2, patents=0
    )
    client.force_login(district.user("town_a"))
    rows = client.get("/api/v1/activities/studios/").json()["results"]
    assert [(r["name"], r["union_code"], r["leader_name"]) for r in rows] == [
        ("a创新工作室", district.union_a.code, "a领办人")
    ]
    assert rows[0]["outputs"] == [
        {"year": year, "innovations": 3, "trainees": 9, "patents": 1},
        {"year": 2025, "innovations": 1, "trainees": 2, "patents": 0},
    ]
    assert client.get(f"/api/v1/activities/studios/{studios['b'].pk}/").status_code == 404
    outputs = client.get("/api/v1/activities/studio-outputs/", {"year": 2025}).json()["results"]
    assert [(o["studio_name"], o["trainees"]) for o in outputs] == [("a创新工作室", 2)]
    other = StudioOutput.objects.get(studio=studios["b"])
    assert client.get(f"/api/v1/activities/studio-outputs/{other.pk}/").status_code == 404
    client.force_login(district.user("econ"))
    names = {r["name"] for r in client.get("/api/v1/activities/studios/", {"kind": "innovation"}).json()["results"]}
    assert names == {"a创新工作室", "b创新工作室"}
    sub = client.get("/api/v1/activities/studios/", {"subtree": district.town_b.code}).json()["results"]
    assert [r["name"] for r in sub] == ["b创新工作室"]
    assert len(client.get("/api/v1/activities/studio-outputs/", {"year": year}).json()["results"]) == 2
    assert client.post("/api/v1/activities/studios/", {}, content_type="application/json").status_code == 405
    client.force_login(district.user("worker_a"))
    assert client.get("/api/v1/activities/studios/").status_code == 403


def test_innovation_items_by_api(client, district):
    from django.test import override_settings

    from activities.tests.innovation_helpers import CONTENT, IMMEDIATE, reward_programmes

    person = member(district.union_a, name="郑工").person
    client.force_login(district.user("chair_a"))
    body = {"union": district.union_a.code, "kind": "renovation", "title": "冷库门帘改造", "content": CONTENT,
            "person_name": "郑工", "person_id_number": person.id_number}  # fmt: skip
    r = client.post(
        "/api/v1/activities/innovation-items/", {**body, "person_name": "郑二"}, content_type="application/json"
    )
    assert r.status_code == 400 and "person_name" in r.json()
    r = client.post("/api/v1/activities/innovation-items/", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["person_name"] == "郑工" and r.json()["state"] == "submitted"
    pk = r.json()["id"]
    r = client.post(f"/api/v1/activities/innovation-items/{pk}/grade/", {"grade": "first", "opinion": "同意"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 403  # the chair holds no review action
    with override_settings(TASKS=IMMEDIATE):
        reward_programmes(district)
        client.force_login(district.user("town_a"))
        r = client.post(f"/api/v1/activities/innovation-items/{pk}/grade/", {"grade": "second", "opinion": "同意"},
                        content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and (r.json()["grade"], r.json()["amount"]) == ("second", "500.00")
    r = client.post(f"/api/v1/activities/innovation-items/{pk}/grade/", {"grade": "first", "opinion": "改"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 400
    counts = client.get("/api/v1/activities/innovation-items/counts/", {"subtree": district.town_a.code}).json()
    assert (counts["submitted"], counts["adopted"], counts["rewarded"], counts["rewarded_yuan"]) == (1, 1, 0, "0.00")
    assert client.get("/api/v1/activities/innovation-items/counts/", {"subtree": "NOPE"}).status_code == 400
    client.force_login(district.user("town_b"))
    assert client.get(f"/api/v1/activities/innovation-items/{pk}/").status_code == 404
    assert client.get("/api/v1/activities/innovation-items/").json()["results"] == []
