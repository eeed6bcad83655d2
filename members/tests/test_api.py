from __future__ import annotations

import pytest

from members import fake
from members.models import Membership, Person
from members.tests.factories import member

pytestmark = pytest.mark.django_db


def test_create_validation_is_400_with_field_messages(client, district):
    client.force_login(district.user("town_a"))
    good = fake.id_number(501)
    r = client.post(
        "/api/v1/members/",
        {
            "organisation": "T-A-1",
            "joined_on": "2024-01-01",
            "name": "张伟",
            "id_number": good[:-1] + ("0" if good[-1] != "0" else "1"),
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "校验位" in r.json()["id_number"][0]
    r = client.post(
        "/api/v1/members/",
        {"organisation": "T-B-1", "joined_on": "2024-01-01", "name": "张伟", "id_number": good},
        content_type="application/json",
    )
    assert r.status_code == 400 and "不在您的管理范围内" in r.json()["organisation"][0]
    r = client.post("/api/v1/members/", {"organisation": "T-A-1"}, content_type="application/json")
    assert r.status_code == 400 and set(r.json()) >= {"name", "id_number", "joined_on"}
    r = client.post("/api/v1/members/", "not json", content_type="application/json")
    assert r.status_code == 400
    assert not Person.objects.exists()
    r = client.post(
        "/api/v1/members/",
        {
            "organisation": "T-A-1",
            "joined_on": "2024-01-01",
            "name": "张伟",
            "id_number": good,
            "mobile": "13800001111",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["person"]["id_number_masked"] == good[:6] + "********" + good[-4:]
    assert body["person"]["mobile_masked"] == "138****1111" and good not in r.content.decode()


def test_update_transfer_leave(client, district):
    m = member(district.union_a)
    client.force_login(district.user("town_a"))
    r = client.patch(
        f"/api/v1/members/{m.pk}/", {"employer": "新单位", "mobile": "12"}, content_type="application/json"
    )
    assert r.status_code == 400 and "mobile" in r.json()
    r = client.patch(f"/api/v1/members/{m.pk}/", {"employer": "新单位"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["person"]["employer"] == "新单位"
    r = client.post(
        f"/api/v1/members/{m.pk}/transfer/",
        {"to_organisation": "T-B-1", "on": "2025-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "to_organisation" in r.json()
    r = client.post(
        f"/api/v1/members/{m.pk}/transfer/",
        {"to_organisation": "T-A-2", "on": "2025-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["organisation"] == "T-A-2"
    new_pk = r.json()["id"]
    r = client.post(f"/api/v1/members/{new_pk}/leave/", {"on": "2025-02-01"}, content_type="application/json")
    assert r.status_code == 400 and "reason" in r.json()
    r = client.post(
        f"/api/v1/members/{new_pk}/leave/", {"on": "2025-02-01", "reason": "退休"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "left"
    assert Membership.objects.filter(person=m.person, status="active").count() == 0
    # out of scope: 404; read-only role: 403
    other = member(district.union_b)
    assert (
        client.patch(f"/api/v1/members/{other.pk}/", {"post": "x"}, content_type="application/json").status_code == 404
    )
    client.force_login(district.user("econ"))
    assert (
        client.patch(f"/api/v1/members/{other.pk}/", {"post": "x"}, content_type="application/json").status_code == 403
    )


def test_openapi_schema_has_member_routes(client, district):
    client.force_login(district.user("admin"))
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/members/" in paths and "/api/v1/members/{id}/transfer/" in paths
