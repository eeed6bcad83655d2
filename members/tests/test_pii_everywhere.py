"""No whole ID number or phone in any member page, form or API response for a role without
``members.view_pii``.

The routes are not listed by hand: the test walks the URL resolver for the ``members`` and
``portal`` namespaces and the members API router, so a page added later is covered without
editing this file. Each route is requested with every kind of target (an in-scope member, an
out-of-scope one, a former member), by GET, GET ?full=1 and POST (and PUT/PATCH/OPTIONS for the
API), and the whole response — body (xlsx unzipped), headers and cookies — is searched.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from appeals.tests.factories import make_appeal
from members import services
from members.api.urls import urlpatterns as member_api_patterns
from members.models import Honour, ImportJob, Membership, Person
from members.tests.factories import member
from members.tests.xlsx_helpers import row, write_rows
from orgs.roles import ROLE_PERMS, Perm
from orgs.scope import forget_grants, perms_of
from orgs.testing import response_text

pytestmark = pytest.mark.django_db

NAMESPACES = ("members", "portal")


def _patterns(patterns: list[Any], prefix: str = "") -> list[tuple[str, list[str]]]:
    """(name, parameter names) of every named URL pattern, walking into includes."""
    out: list[tuple[str, list[str]]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out.extend(_patterns(p.url_patterns, prefix))
        elif isinstance(p, URLPattern) and p.name:
            out.append((prefix + p.name, list(p.pattern.regex.groupindex)))
    return out


def routes() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    found: list[tuple[str, list[str]]] = []
    for ns in NAMESPACES:
        _, sub = resolver.namespace_dict[ns]
        found.extend(_patterns(sub.url_patterns, f"{ns}:"))
    found.extend(_patterns(member_api_patterns, "api:"))
    return sorted(set((name, tuple(params)) for name, params in found))  # type: ignore[arg-type]


def test_the_walk_finds_every_members_route():
    names = {name for name, _ in routes()}
    assert {"members:edit", "members:detail", "members:list", "members:reveal", "portal:home"} <= names
    assert {"api:member-list", "api:member-detail", "api:member-transfer"} <= names


@pytest.fixture
def world(district, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    a = member(district.union_a, name="甲会员", address="北京市顺义区仁和镇沙坨村东街18号院", phone="010-81234567-801")
    a.person.user = district.user("worker_a")
    a.person.save()
    member(district.union_b, name="乙会员", address="北京市顺义区后沙峪镇西泗上村南街9号", phone="0571-87654321")
    c = member(district.union_b, name="丙会员", address="北京市顺义区后沙峪镇裕祥花园6号楼", phone="69445678")
    services.membership_leave(actor=None, person=c.person, on=date(2023, 6, 30), reason="离职")
    services.member_register(
        actor=None,
        organisation=district.union_a,
        joined_on=date(2024, 1, 1),
        data={"name": "丙会员", "id_number": c.person.id_number},
    )
    Honour.objects.create(person=a.person, title="craftsman", level="district", awarded_on=date(2024, 1, 1))
    make_appeal(district, worker=a.person)
    report = write_rows(tmp_path / "report.xlsx", [row("新人", "110113", "T-A-1")])
    for user in district.users.values():
        ImportJob.objects.create(
            created_by=user, file_name="名单.xlsx", stored_path=str(report), status="invalid", report_path=str(report)
        )
    people = list(Person.objects.all())
    assert all(p.phone for p in people)  # every fixture person has a landline to search for
    return people


def _secrets(people: list[Person]) -> list[str]:
    out: list[str] = []
    for p in people:
        out += [p.id_number, p.id_number.lower(), p.mobile, f"{p.mobile[:3]} {p.mobile[3:7]} {p.mobile[7:]}"]
        out.append(p.address)
        # the landline (联系电话) whole, and its local number however it is spelled
        local = p.phone.split("-")[1] if p.phone.count("-") and p.phone.startswith("0") else p.phone.split("-")[0]
        out += [p.phone, local, f"{local[:4]} {local[4:]}"]
    return [s for s in out if s]


def _kwargs(name: str, params: tuple[str, ...], user: Any, people: list[Person]) -> list[dict[str, Any]]:
    """Every target a route can take: each person / membership / honour / the user's own job."""
    choices: dict[str, list[Any]] = {}
    for param in params:
        if param == "format":
            choices[param] = ["json"]
        elif param == "job_id":
            choices[param] = list(ImportJob.objects.filter(created_by=user).values_list("pk", flat=True))
        elif param == "honour_id":
            choices[param] = list(Honour.objects.values_list("pk", flat=True))
        elif param == "pk" and name.startswith("api:"):
            choices[param] = list(Membership.objects.values_list("pk", flat=True))
        elif param == "pk" and name.startswith("portal:"):
            from appeals.models import Appeal

            choices[param] = list(Appeal.objects.values_list("pk", flat=True))
        elif param == "pk":
            choices[param] = [p.pk for p in people]
        else:
            raise AssertionError(f"{name}: no targets known for URL parameter “{param}”; add them here")
    keys = list(choices)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(choices[k] for k in keys))]


ROLES_WITHOUT_PII = [*sorted(r for r, perms in ROLE_PERMS.items() if Perm.MEMBER_VIEW_PII not in perms), "(none)"]


def _calls(name: str, url: str, params: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    if name.startswith("api:"):
        if "format" in params:  # the same view with a .json suffix: read it
            return [("get", url, {})]
        return [("get", url, {}), ("post", url, {}), ("put", url, {}), ("patch", url, {}), ("options", url, {})]
    return [("get", url, {}), ("get", url + "?full=1", {}), ("post", url, {"field": "id_number"})]


@pytest.mark.parametrize("role", ROLES_WITHOUT_PII)
def test_no_whole_id_number_or_phone_without_view_pii(client, district, world, role):
    people = world
    secrets = _secrets(people)
    users = [
        u
        for u in district.users.values()
        if {a.role for a in u.role_assignments.all()} == ({role} if role != "(none)" else set())
    ]
    assert users, f"the test district has no account with role {role}"
    leaks: list[str] = []
    for user in users:
        forget_grants(user)
        assert Perm.MEMBER_VIEW_PII not in perms_of(user)
        client.force_login(user)
        for name, params in routes():
            for kwargs in _kwargs(name, params, user, people):
                for method, target, data in _calls(name, reverse(name, kwargs=kwargs), params):
                    if method in ("put", "patch"):
                        response = getattr(client, method)(target, data, content_type="application/json")
                    else:
                        response = getattr(client, method)(target, data)
                    assert response.status_code < 500, (user.username, method, target)
                    text = response_text(response, with_headers=True)
                    leaks += [f"{user.username} {method.upper()} {target}: {s}" for s in secrets if s in text]
    assert leaks == []
