from __future__ import annotations

import pytest

from core.models import AuditEvent, User
from orgs.models import RoleAssignment
from orgs.testing import pk_of

pytestmark = pytest.mark.django_db


def test_town_officer_lists_only_accounts_in_own_subtree(client, district):
    client.force_login(district.user("town_a"))
    body = client.get("/accounts/users/?per_page=100").content.decode()
    assert "chair_a" in body and "social_a" in body
    assert "town_b" not in body and "admin" not in body and "nobody" not in body


def test_district_admin_also_sees_accounts_without_roles(client, district):
    client.force_login(district.user("admin"))
    assert "nobody" in client.get("/accounts/users/?per_page=100").content.decode()


def test_town_officer_cannot_open_an_account_outside_scope(client, district):
    client.force_login(district.user("town_a"))
    assert client.get(f"/accounts/users/{district.user('town_b').pk}/").status_code == 404
    assert client.post(f"/accounts/users/{district.user('town_b').pk}/deactivate/").status_code == 404


def test_create_account_with_role_in_scope(client, district):
    client.force_login(district.user("town_a"))
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "newchair",
            "display_name": "新主席",
            "password": "Chair-2026x",
            "role": "grassroots_chair",
            "organisation": pk_of("T-A-2"),
            "scope": "subtree",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newchair")
    assert user.must_change_password
    assert RoleAssignment.objects.get(user=user).organisation.code == "T-A-2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"organisation": "T-B-1"}, "不在您可选择的范围内"),
        ({"role": "district_admin"}, "选择一个有效的选项"),
        ({"password": "weak"}, "至少"),
        ({"username": "chair_a"}, "已被使用"),
    ],
)
def test_create_account_refusals_change_nothing(client, district, data, message):
    client.force_login(district.user("town_a"))
    payload = {
        "username": "x1",
        "display_name": "某某",
        "password": "Chair-2026x",
        "role": "grassroots_chair",
        "organisation": "T-A-1",
        "scope": "subtree",
        **data,
    }
    payload["organisation"] = pk_of(payload["organisation"])
    before = User.objects.count()
    response = client.post("/accounts/users/new/", payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_audit_pages_only_for_district_auditors(client, district):
    for key, status in [("auditor", 200), ("admin", 200), ("town_a", 403), ("finance", 403)]:
        client.force_login(district.user(key))
        assert client.get("/accounts/audit/").status_code == status, key
        assert client.get("/accounts/history/").status_code == status, key


def test_exports_are_audited(client, district):
    client.force_login(district.user("auditor"))
    response = client.get("/orgs/list/?export=xlsx")
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.username == "auditor" and "组织列表" in event.summary


def test_calendar_page_shows_covered_years(client, district):
    client.force_login(district.user("admin"))
    body = client.get("/accounts/calendar/").content.decode()
    assert "2025" in body and "2026" in body


def test_calendar_manual_year_entry(client, district):
    client.force_login(district.user("admin"))
    response = client.post(
        "/accounts/calendar/",
        {
            "year": "2027",
            "holidays": "2027-01-01 2027-01-01 元旦\n2027-02-05 2027-02-13 春节",
            "workdays": "2027-02-14",
        },
    )
    assert response.status_code == 302
    from core.workdays import is_workday, year_is_covered

    assert year_is_covered(2027)
    import datetime

    assert not is_workday(datetime.date(2027, 2, 8)) and is_workday(datetime.date(2027, 2, 14))


def test_calendar_bad_line_is_a_clear_error(client, district):
    client.force_login(district.user("admin"))
    response = client.post("/accounts/calendar/", {"year": "2027", "holidays": "2027-13-01 2027-01-01 元旦"})
    assert "第 1 行" in response.content.decode()
