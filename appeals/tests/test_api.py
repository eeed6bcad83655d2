from __future__ import annotations

import pytest

from appeals.models import Appeal
from appeals.tests.factories import fresh, make_appeal, make_person, run_to

pytestmark = pytest.mark.django_db


def test_hotline_intake_and_refusals(client, district):
    client.force_login(district.user("town_a"))
    ok = client.post(
        "/api/v1/appeals/",
        {
            "organisation": district.union_a.code,
            "category": "wage_arrears",
            "title": "欠薪",
            "description": "三个月没发工资了",
            "reporter_name": "赵",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["state"] == "registered" and ok.json()["channel"] == "hotline"
    out = client.post(
        "/api/v1/appeals/",
        {
            "organisation": district.union_b.code,
            "category": "wage_arrears",
            "title": "欠薪",
            "description": "三个月没发工资了",
            "reporter_name": "赵",
        },
        content_type="application/json",
    )
    assert out.status_code == 400 and "不在您的办理范围内" in out.content.decode()
    short = client.post(
        "/api/v1/appeals/",
        {
            "organisation": district.union_a.code,
            "category": "wage_arrears",
            "title": "欠薪",
            "description": "短",
            "reporter_name": "赵",
        },
        content_type="application/json",
    )
    assert short.status_code == 400 and "至少 5 个字" in short.content.decode()
    client.force_login(district.user("finance"))
    assert client.get("/api/v1/appeals/").status_code == 403


def test_officer_transitions_and_worker_rates(client, district):
    person = make_person(district.union_a, user=district.user("worker_a"))
    a = make_appeal(district, worker=person)
    client.force_login(district.user("rights"))
    post = lambda body: client.post(f"/api/v1/appeals/{a.pk}/transition/", body, content_type="application/json")  # noqa: E731
    r = post({"action": "refer", "lead": district.town_a.code})
    assert r.status_code == 400 and "请先联系职工" in r.content.decode()
    assert post({"action": "contact", "note": "已电话联系"}).json()["state"] == "contacted"
    assert (
        post({"action": "refer", "lead": district.town_a.code, "co_handlers": [district.women.code]}).json()["state"]
        == "coordinating"
    )
    refs = {r.handler_org_id: r.pk for r in a.referrals.all()}
    client.force_login(district.user("women"))
    r = post({"action": "accept", "referral": refs[district.town_a.pk]})
    assert r.status_code == 403
    assert post({"action": "accept", "referral": refs[district.women.pk]}).status_code == 200
    assert (
        post({"action": "complete", "referral": refs[district.women.pk], "note": "妇联维权站介入"}).status_code == 200
    )
    client.force_login(district.user("town_a"))
    assert post({"action": "accept", "referral": refs[district.town_a.pk]}).json()["state"] == "handling"
    assert post({"action": "complete", "referral": refs[district.town_a.pk], "note": "已协调"}).status_code == 200
    assert post({"action": "feedback", "note": "已补发", "resolved": True}).json()["state"] == "fed_back"
    # the worker reads own (public timeline) and rates
    client.force_login(district.user("worker_a"))
    detail = client.get(f"/api/v1/appeals/{a.pk}/").json()
    assert detail["timeline"][0]["action"] == "登记"
    r = client.post(f"/api/v1/appeals/{a.pk}/rate/", {"rating": "unsatisfied"}, content_type="application/json")
    assert r.status_code == 400 and "原因" in r.content.decode()
    r = client.post(
        f"/api/v1/appeals/{a.pk}/rate/", {"rating": "satisfied", "comment": "谢谢"}, content_type="application/json"
    )
    assert r.json()["state"] == "closed" and fresh(a).rating == "satisfied"


def test_worker_cannot_rate_someone_else(client, district):
    make_person(district.union_a, user=district.user("worker_a"))
    other = run_to(district, make_appeal(district), Appeal.State.FED_BACK)
    client.force_login(district.user("worker_a"))
    r = client.post(f"/api/v1/appeals/{other.pk}/rate/", {"rating": "satisfied"}, content_type="application/json")
    assert r.status_code == 404


def test_schema_lists_appeal_routes(client, district):
    client.force_login(district.user("admin"))
    schema = client.get("/api/v1/openapi.json").content.decode()
    for path in ("/api/v1/appeals/", "/api/v1/appeals/{id}/rate/", "/api/v1/appeals/{id}/transition/"):
        assert path in schema
