"""Issue 11 item 4: every role's navigation offers only what the role may open; workers live in the
portal (they land there, read their messages there, and the back office refuses them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD
from core.notify import notify
from orgs.roles import Role

pytestmark = pytest.mark.django_db


def nav_links(response) -> list[str]:
    return [item["url"] for group in response.context["nav_menu"] for item in group["items"]]


OFFICE_USERS = ["admin", "org_dept", "rights", "econ", "finance", "auditor", "town_a", "town_b", "chair_a", "social_a"]
OFFICE_USERS += ["women", "youth", "assist_a", "assist_town_a", "nobody"]


def test_every_account_of_the_district_is_tried(district):
    """Each role's account (the worker's below) and the account with no role."""
    assert set(district.users) == {*OFFICE_USERS, "worker_a"}
    assert {a.role for u in district.users.values() for a in u.role_assignments.all()} == set(Role.values)


@pytest.mark.parametrize("user_key", OFFICE_USERS)
def test_every_navigation_link_opens(client, district, user_key):
    client.force_login(district.user(user_key))
    home = client.get(reverse("dashboard:home"))
    assert home.status_code == 200
    links = nav_links(home)
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, (user_key, url, response.status_code)
        assert nav_links(response) == links  # the same menu on every page


def test_worker_is_offered_no_back_office_page(client, district):
    client.force_login(district.user("worker_a"))
    response = client.get(reverse("accounts:password_change"))  # a back-office template a worker may open
    assert response.status_code == 200
    assert response.context["nav_menu"] == [] and response.context["portal_user"] is True
    html = response.content.decode()
    assert f'href="{reverse("portal:home")}"' in html and "会员名单" not in html


@pytest.mark.parametrize(
    "name", ["members:list", "members:create", "orgs:tree", "appeals:list", "funds:programme_list"]
)
def test_worker_opening_a_back_office_page_is_refused(client, district, name):
    client.force_login(district.user("worker_a"))
    response = client.get(reverse(name))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and "返回职工之家" in html


def test_worker_lands_in_the_portal(client, district):
    response = client.post(reverse("accounts:login"), {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("portal:home")
    # An officer still lands on the workbench, and a ?next= is still honoured.
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "town_a", "password": PASSWORD})
    assert response["Location"] == reverse("dashboard:home")
    client.logout()
    response = client.post(
        reverse("accounts:login") + "?next=/portal/new/", {"username": "worker_a", "password": PASSWORD}
    )
    assert response["Location"] == "/portal/new/"


def test_worker_reads_messages_inside_the_portal(client, district):
    worker = district.user("worker_a")
    notify(worker, kind="appeal_worker", title="您的诉求已有联络人联系", body="联络人将于明天上门", url="/portal/")
    notify(district.user("town_a"), kind="x", title="别人的通知")
    client.force_login(worker)
    assert client.get(reverse("appeals:notifications"))["Location"] == reverse("portal:messages")
    response = client.get(reverse("portal:messages"))
    assert [t.name for t in response.templates][:2] == ["portal/messages.html", "portal/base.html"]
    html = response.content.decode()
    assert "您的诉求已有联络人联系" in html and "联络人将于明天上门" in html and "别人的通知" not in html
    assert 'data-testid="unread-count" class="badge bg-red">1<' in html
    assert client.post(reverse("portal:messages"), {}).status_code == 302
    assert 'data-testid="unread-count"' not in client.get(reverse("portal:messages")).content.decode()


def test_officer_notifications_stay_in_the_back_office(client, district):
    client.force_login(district.user("town_a"))
    response = client.get(reverse("appeals:notifications"))
    assert response.status_code == 200 and "appeals/notifications.html" in [t.name for t in response.templates]
