"""Account management never reaches above the manager (issue 9, item 1).

A manager may act on an account only when every role of that account lies inside the manager's scope
and grants nothing the manager could not grant; otherwise the account is a 404 to them.
"""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from conftest import PASSWORD, make_user
from core.models import User
from orgs.models import RoleAssignment
from orgs.roles import Role
from orgs.services import role_grant
from orgs.testing import pk_of

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Reset-2026-xy"


def account_urls(user: User) -> list[tuple[str, str, dict]]:
    base = f"/accounts/users/{user.pk}"
    return [
        ("get", f"{base}/", {}),
        ("post", f"{base}/", {"role": "grassroots_chair", "organisation": pk_of("T-A-1"), "scope": "subtree"}),
        ("post", f"{base}/reset_password/", {"password": NEW_PASSWORD}),
        ("post", f"{base}/deactivate/", {}),
        ("post", f"{base}/activate/", {}),
        ("post", f"{base}/unlock/", {}),
    ]


def assert_out_of_reach(client, manager: User, target: User) -> None:
    client.force_login(manager)
    before = (target.password, target.is_active, RoleAssignment.objects.filter(user=target).count())
    for method, url, data in account_urls(target):
        assert getattr(client, method)(url, data).status_code == 404, (manager.username, method, url)
    target.refresh_from_db()
    assert (target.password, target.is_active, RoleAssignment.objects.filter(user=target).count()) == before
    listing = client.get("/accounts/users/?per_page=100").content.decode()
    assert f"/accounts/users/{target.pk}/" not in listing
    search = client.get(f"/accounts/users/?q={target.username}").content.decode()
    assert f"/accounts/users/{target.pk}/" not in search


def test_org_dept_officer_cannot_touch_the_district_admin(client, district):
    assert_out_of_reach(client, district.user("org_dept"), district.user("admin"))
    # nor the finance officer, whose role grants money actions 组织部 does not hold
    assert_out_of_reach(client, district.user("org_dept"), district.user("finance"))


def test_town_officer_cannot_touch_a_district_officer_holding_a_small_role_in_the_town(client, district):
    officer = district.user("rights")  # 权益保障部, district-wide
    role_grant(actor=None, user=officer, role=Role.SOCIAL_WORKER, organisation=district.town_a)
    assert_out_of_reach(client, district.user("town_a"), officer)


def test_an_account_wholly_inside_the_manager_reach_stays_manageable(client, district):
    client.force_login(district.user("town_a"))
    chair = district.user("chair_a")
    assert client.get(f"/accounts/users/{chair.pk}/").status_code == 200
    assert client.post(f"/accounts/users/{chair.pk}/reset_password/", {"password": NEW_PASSWORD}).status_code == 302
    chair.refresh_from_db()
    assert chair.check_password(NEW_PASSWORD) and chair.must_change_password
    # 组织部 manages the 经济技术部 officer (every action of that role is 组织部's too) ...
    client.force_login(district.user("org_dept"))
    assert client.get(f"/accounts/users/{district.user('econ').pk}/").status_code == 200
    # ... but not a town officer, whose role also handles requests and sees money
    assert client.get(f"/accounts/users/{district.user('town_a').pk}/").status_code == 404
    client.force_login(district.user("admin"))
    assert client.get(f"/accounts/users/{district.user('town_a').pk}/").status_code == 200


def test_grants_are_bounded_by_what_the_manager_holds_over_that_organisation(client, district):
    # town_a's officer also keeps the books of one union (finance, that union only): that is no
    # licence to hand out finance roles over the rest of town A.
    manager = district.user("town_a")
    role_grant(actor=None, user=manager, role=Role.FINANCE, organisation=district.union_a, scope="org")
    target = make_user("clerk_a")
    role_grant(actor=None, user=target, role=Role.GRASSROOTS_CHAIR, organisation=district.union_a)
    client.force_login(manager)
    for org, scope in [("T-A-2", "org"), ("T-A-1", "subtree"), ("T-A", "org")]:
        response = client.post(
            f"/accounts/users/{target.pk}/", {"role": "finance", "organisation": pk_of(org), "scope": scope}
        )
        assert response.status_code == 200 and "不能授予超出您自身权限或管理范围的角色" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target, role=Role.FINANCE).exists()
    response = client.post(
        f"/accounts/users/{target.pk}/", {"role": "finance", "organisation": pk_of("T-A-1"), "scope": "org"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=target, role=Role.FINANCE, organisation=district.union_a).exists()
    # a manager cannot revoke what they could not grant either
    finance = RoleAssignment.objects.get(user=district.user("finance"))
    client.force_login(manager)
    assert client.post(f"/accounts/users/{finance.user_id}/roles/{finance.pk}/revoke/").status_code == 404


def test_reset_and_deactivation_end_sessions_and_tokens(client, district):
    from django.test import Client

    target = district.user("chair_a")
    victim = Client()
    victim.force_login(target)
    assert victim.get("/orgs/").status_code == 200
    token = Token.objects.create(user=target)
    client.force_login(district.user("town_a"))
    client.post(f"/accounts/users/{target.pk}/reset_password/", {"password": NEW_PASSWORD})
    assert victim.get("/orgs/").status_code == 302  # back to the login page
    api = Client()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code in (401, 403)
    assert not Token.objects.filter(user=target).exists()

    # deactivation, then re-activation with the same password: old sessions and tokens stay dead
    other = district.user("social_a")
    session = Client()
    session.force_login(other)
    token = Token.objects.create(user=other)
    client.post(f"/accounts/users/{other.pk}/deactivate/")
    client.post(f"/accounts/users/{other.pk}/activate/")
    assert session.get("/orgs/").status_code == 302
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code in (401, 403)
    assert Client().post("/accounts/login/", {"username": "social_a", "password": PASSWORD}).status_code == 302
