"""Lockout behind the documented TLS proxy (issue 9, item 5)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # the TLS proxy's address as the application sees it


@pytest.fixture
def behind_proxy(settings):
    settings.GONGHUI_TRUSTED_PROXY_COUNT = 1
    settings.GONGHUI_TRUSTED_PROXIES = [PROXY]


def via_proxy(client, username, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_two_clients_behind_the_proxy_do_not_lock_each_other_out(client, district, behind_proxy):
    for i in range(6):
        via_proxy(client, f"guess{i}", "wrong", "203.0.113.7")  # one office mistyping
    assert via_proxy(client, "town_b", PASSWORD, "203.0.113.7").status_code == 429
    assert via_proxy(client, "town_b", PASSWORD, "198.51.100.9").status_code == 302  # another office
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED).first()
    assert failed.ip_address == "203.0.113.7"  # the audit trail records the client, not the proxy


def test_a_spoofed_header_cannot_evade_the_address_lockout(client, district, behind_proxy):
    # The client writes a fresh X-Forwarded-For each time; the proxy appends the real address.
    for i in range(5):
        via_proxy(client, f"guess{i}", "wrong", f"192.0.2.{i + 1}, 203.0.113.66")
    assert via_proxy(client, "town_b", PASSWORD, "192.0.2.200, 203.0.113.66").status_code == 429
    # Straight to the application (not through the trusted proxy): the header is not believed.
    for i in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"x{i}", "password": "wrong"},
            REMOTE_ADDR="198.18.0.5",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 50}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "town_b", "password": PASSWORD},
        REMOTE_ADDR="198.18.0.5",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_garbage_in_the_header_falls_back_to_the_connecting_address(client, district, behind_proxy):
    response = via_proxy(client, "town_b", PASSWORD, "not-an-address")
    assert response.status_code == 302
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN).ip_address == PROXY


def test_admin_unlock_also_clears_the_address_lockouts_the_account_caused(client, district, behind_proxy):
    office = "203.0.113.20"
    for i in range(5):  # Caps Lock on: the name typed in capitals, the address locked with it
        via_proxy(client, "TOWN_A", f"wrong-{i}", office)
    assert via_proxy(client, "town_b", PASSWORD, office).status_code == 429
    client.force_login(district.user("admin"))
    assert client.post(f"/accounts/users/{district.user('town_a').pk}/unlock/").status_code == 302
    client.logout()
    assert via_proxy(client, "town_b", PASSWORD, office).status_code == 302
    client.logout()
    assert via_proxy(client, "town_a", PASSWORD, office).status_code == 302
    event = AuditEvent.objects.filter(summary__startswith="解除 town_a").get()
    assert event.detail["addresses"] == [office]


@pytest.mark.parametrize(
    ("count", "remote", "header", "expected"),
    [
        (0, "10.0.0.2", "203.0.113.1", "10.0.0.2"),  # no proxy configured: the header is not read
        (1, "10.0.0.2", "203.0.113.1", "203.0.113.1"),
        (1, "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # client-written part ignored
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.1, 172.16.0.9", "203.0.113.1"),  # load balancer + nginx
        (2, "10.0.0.2", "203.0.113.1", "203.0.113.1"),  # shorter chain: the leftmost a proxy appended
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "198.18.0.5", "203.0.113.1", "198.18.0.5"),  # not from a trusted proxy
    ],
)
def test_client_address_from_the_proxy_chain(settings, rf, count, remote, header, expected):
    from core.audit import client_ip

    settings.GONGHUI_TRUSTED_PROXY_COUNT = count
    settings.GONGHUI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected
