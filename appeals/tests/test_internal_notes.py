"""Issue 9.3: officers' internal notes never reach the worker.

A worker follows their requests in the portal; the back office (/appeals/…) needs an officer action,
and the timeline a worker reads anywhere (portal, API, notifications) is the worker-visible one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from appeals import services
from appeals.models import Appeal
from appeals.tests.factories import make_appeal, make_person, run_to
from conftest import make_user
from core.models import Notification
from orgs.roles import Perm, Role, ScopeMode
from orgs.scope import has_perm
from orgs.services import role_grant

pytestmark = pytest.mark.django_db

SECRET = "内部：该职工曾多次投诉，单位法务建议拖延处理"
PUBLIC = "已与单位沟通，下周一答复"


def _with_notes(district, worker):
    appeal = run_to(district, make_appeal(district, worker=worker, title="加班费被克扣"), Appeal.State.CONTACTED)
    rights = district.user("rights")
    services.appeal_note(actor=rights, appeal=appeal, note=SECRET, public=False)
    services.appeal_note(actor=rights, appeal=appeal, note=PUBLIC, public=True)
    return appeal


BACK_OFFICE = [
    lambda a: reverse("appeals:detail", args=[a.pk]),
    lambda a: reverse("appeals:list"),
    lambda a: reverse("appeals:list") + "?export=xlsx",
    lambda a: reverse("appeals:rates"),
    lambda a: reverse("appeals:liaisons"),
]


def test_worker_cannot_open_the_back_office_of_their_own_request(client, district):
    worker = make_person(district.union_a, user=district.user("worker_a"))
    appeal = _with_notes(district, worker)
    client.force_login(district.user("worker_a"))
    for url in BACK_OFFICE:
        response = client.get(url(appeal))
        assert response.status_code == 403, url(appeal)
        assert SECRET not in response.content.decode()
    refused = client.post(reverse("appeals:action", args=[appeal.pk, "rate"]), {"rating": "satisfied"})
    assert refused.status_code == 403
    # …and follows it in the portal, where only the worker-visible entries show.
    portal = client.get(reverse("portal:detail", args=[appeal.pk])).content.decode()
    assert PUBLIC in portal and SECRET not in portal
    # The officer still reads the whole trail on the back-office page.
    client.force_login(district.user("rights"))
    page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert SECRET in page and PUBLIC in page


def test_worker_api_token_gets_the_worker_visible_timeline_only(client, district):
    """A worker who also holds an officer role elsewhere is still only the worker on their own request."""
    user = make_user("worker_and_officer")
    role_grant(actor=None, user=user, role=Role.WORKER, organisation=district.union_a, scope=ScopeMode.SELF)
    role_grant(actor=None, user=user, role=Role.SUB_OFFICER, organisation=district.town_b)
    appeal = _with_notes(district, make_person(district.union_a, user=user))
    token = Token.objects.create(user=user)
    response = client.get(f"/api/v1/appeals/{appeal.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    notes = [e["note"] for e in response.json()["timeline"]]
    assert PUBLIC in notes and SECRET not in notes
    # Their officer role does not open their own request (outside it) in the back office.
    client.force_login(user)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    listed = client.get(reverse("appeals:list")).content.decode()
    assert appeal.title not in listed
    # An officer whose back office covers the request reads the whole trail through the API.
    client.logout()
    officer_token = Token.objects.create(user=district.user("town_a"))
    full = client.get(f"/api/v1/appeals/{appeal.pk}/", HTTP_AUTHORIZATION=f"Token {officer_token.key}")
    assert SECRET in [e["note"] for e in full.json()["timeline"]]


def test_an_own_records_grant_carries_no_officer_action(district):
    """A chair's role granted over "own records only" gives the worker's reach, never the back office."""
    user = make_user("chair_self")
    role_grant(actor=None, user=user, role=Role.GRASSROOTS_CHAIR, organisation=district.union_a, scope=ScopeMode.SELF)
    assert not has_perm(user, Perm.APPEAL_OFFICE)
    assert has_perm(user, Perm.APPEAL_VIEW)


def test_worker_notifications_link_to_the_portal_and_carry_public_text(district):
    worker = make_person(district.union_a, user=district.user("worker_a"))
    _with_notes(district, worker)
    notes = list(Notification.objects.filter(user=district.user("worker_a")))
    assert notes, "the contact step notifies the worker"
    for n in notes:
        assert n.url.startswith("/portal/")
        assert SECRET not in n.body
