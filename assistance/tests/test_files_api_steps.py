"""The file's steps in the API (/api/v1/assistance/files/<id>/<step>/): the same services as the
pages — level, four eyes, scope, state — with refusals as 4xx and their Chinese message, nothing
changed, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assistance.models import HardshipFile
from assistance.services import files as svc
from assistance.tests.factories import local_standard
from conftest import make_user
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant


@pytest.fixture
def applied(district):
    local_standard(district)
    person = member(district.union_a, name="王职工").person
    person.user = district.user("worker_a")
    person.save()
    return svc.file_apply(
        actor=district.user("worker_a"),
        person=person,
        data={"category": "deep", "main_cause": "illness", "housing": "rented"},
        own=svc.SelfDetails(monthly_income=600),
    )


def _post(client, file_id, step, body=None):
    return client.post(f"/api/v1/assistance/files/{file_id}/{step}/", body or {}, content_type="application/json")


def _unchanged(file: HardshipFile, state: str, steps: int) -> bool:
    file.refresh_from_db()
    return file.state == state and file.steps.count() == steps


def test_the_whole_road_through_the_api(district, applied, login):
    file, today = applied, timezone.localdate()
    r = _post(login(district.user("assist_a")), file.pk, "verify", {"opinion": "入户核实属实"})
    assert r.status_code == 200 and r.json()["state"] == "verified"
    assert r.json()["steps"][-1]["opinion"] == "入户核实属实"
    assert _post(login(district.user("assist_town_a")), file.pk, "review", {"opinion": "同意"}).json()["state"] == (
        "reviewed"
    )
    r = _post(login(district.user("rights")), file.pk, "approve", {"opinion": "同意建档", "on": str(today)})
    assert r.status_code == 200 and r.json()["state"] == "active" and r.json()["approved_on"] == str(today)
    assert r.json()["verifications"][0]["done_on"] == str(today)
    r = _post(login(district.user("assist_a")), file.pk, "reverify", {"opinion": "仍符合条件", "on": str(today)})
    assert r.status_code == 400 and "已有认定或复核记录" in r.json()["detail"][0]
    client = login(district.user("assist_a"))
    r = _post(client, file.pk, "exit", {"reason": "other", "on": str(today)})
    assert r.status_code == 400 and r.json()["detail"] == ["脱困原因为“其他”时请填写说明"]
    assert _unchanged(file, "active", 4)
    r = _post(client, file.pk, "exit", {"reason": "employed", "on": str(today), "note": "已在镇企业就业"})
    assert r.status_code == 200 and r.json()["state"] == "exited" and r.json()["exit_reason"] == "employed"


def test_refusals_are_4xx_with_the_chinese_message_and_change_nothing(district, applied, login):
    file = applied
    town = login(district.user("assist_town_a"))
    r = _post(town, file.pk, "review", {"opinion": "同意"})
    assert r.status_code == 400 and r.json()["detail"] == ["档案当前为“待基层工会核实”，不能审核"]
    assert _unchanged(file, "applied", 1)
    r = _post(town, file.pk, "verify", {"opinion": "属实"})  # the town may verify for a union below it
    assert r.status_code == 200
    r = _post(town, file.pk, "review", {"opinion": "同意"})
    assert r.status_code == 400 and "同一人不能办理两个环节" in r.json()["detail"][0]
    assert _unchanged(file, "verified", 2)
    r = _post(login(district.user("assist_a")), file.pk, "review", {"opinion": "同意"})
    assert r.status_code == 403 and "此环节由" in r.json()["detail"]
    r = _post(login(district.user("rights")), file.pk, "review", {})
    assert r.status_code == 400 and "opinion" in r.json()
    r = _post(login(district.user("rights")), file.pk, "approve", {"opinion": "同意"})
    assert r.status_code == 400 and "不能审批" in r.json()["detail"][0]
    assert _unchanged(file, "verified", 2)
    _post(login(district.user("rights")), file.pk, "review", {"opinion": "同意"})
    future = str(timezone.localdate() + timedelta(days=3))
    admin = login(district.user("admin"))
    for bad in (
        {"opinion": "同意", "on": future},
        {"opinion": "同意", "on": "0000-01-01"},
        {"opinion": "同意", "on": "NaN"},
    ):
        r = _post(admin, file.pk, "approve", bad)
        assert r.status_code == 400, (bad, r.content)
    assert _unchanged(file, "reviewed", 3)
    r = _post(admin, file.pk, "reject", {"opinion": ""})
    assert r.status_code == 400
    assert _unchanged(file, "reviewed", 3)


def test_scope_own_file_and_no_action(district, applied, login):
    file = applied
    officer_b = make_user("assist_b")
    role_grant(actor=None, user=officer_b, role=Role.ASSISTANCE_OFFICER, organisation=district.town_b)
    assert _post(login(officer_b), file.pk, "verify", {"opinion": "属实"}).status_code == 404
    assert _post(login(district.user("rights")), 10**30, "verify", {"opinion": "属实"}).status_code == 404
    r = _post(login(district.user("worker_a")), file.pk, "verify", {"opinion": "属实"})
    assert r.status_code == 403  # a worker takes no step, least of all on their own file
    assert _post(login(district.user("chair_a")), file.pk, "verify", {"opinion": "属实"}).status_code == 403
    assert _post(login(district.user("auditor")), file.pk, "verify", {"opinion": "属实"}).status_code == 403
    assert login(district.user("assist_a")).get(f"/api/v1/assistance/files/{file.pk}/verify/").status_code == 405
    assert _unchanged(file, "applied", 1)


def test_the_steps_are_in_the_openapi_schema(district, login):
    schema = login(district.user("admin")).get("/api/v1/openapi.json").content.decode()
    for step in ("verify", "review", "approve", "reject", "reverify", "exit"):
        assert f"/api/v1/assistance/files/{{id}}/{step}/" in schema


def test_a_step_by_its_format_suffix(district, applied, login):
    """/verify.json (the router's format suffix) takes the step like /verify/ (it once answered 500)."""
    file = applied
    client = login(district.user("assist_a"))
    r = client.post(
        f"/api/v1/assistance/files/{file.pk}/verify.json", {"opinion": "属实"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "verified"
    r = client.post(
        f"/api/v1/assistance/files/{file.pk}/review.json", {"opinion": "同意"}, content_type="application/json"
    )
    assert r.status_code == 403 and "此环节由" in r.json()["detail"]
    assert _unchanged(file, "verified", 2)
