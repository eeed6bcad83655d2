"""Reusable test battery for data-scoped pages and API routes (NetBox's view tests, DESIGN.md §6).

An app describes each org-scoped route once as a ``ScopedRoute``; ``check_route`` then runs the
whole matrix for every role of the test district (conftest.District): anonymous → login or 401,
a role without the action → 403, inside scope → 200 with the row shown, outside scope → 404 for a
detail and the row absent from a list, a search, a count or an export.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from orgs.roles import ROLE_PERMS
from orgs.scope import perms_of

LIST, DETAIL, EXPORT, API_LIST, API_DETAIL = "list", "detail", "export", "api_list", "api_detail"


@dataclass(frozen=True)
class ScopedRoute:
    name: str
    kind: str
    perm: str
    # url(target) for a detail; url(None) for a list/export (the marker tells rows apart)
    url: Callable[[Any], str]
    # text identifying the target row in a list/export/API response
    marker: Callable[[Any], str] = str
    # A page a worker uses (the portal, their own attachments): an own-records grant opens it. Any
    # other page is the back office, which counts only grants over an organisation (orgs.web).
    own_records: bool = False


def role_of(district: Any, user_key: str) -> str:
    return district.user(user_key).role_assignments.get().role


def _xlsx_text(content: bytes) -> str:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = wb.get_sheet_by_index(0).to_python()
    return "\n".join("\t".join(str(c) for c in row) for row in rows)


def _body(response: Any, kind: str) -> str:
    if kind == EXPORT:
        return _xlsx_text(b"".join(response.streaming_content))
    if kind in (API_LIST, API_DETAIL):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def check_route(
    client: Any,
    district: Any,
    route: ScopedRoute,
    *,
    inside: dict[str, Any],
    outside: dict[str, Any],
) -> list[str]:
    """Run the matrix. ``inside``/``outside`` map a user key to the target row that user should /
    should not reach (e.g. {"town_a": union_a}). Returns a list of failures (empty when all pass)."""
    failures: list[str] = []
    is_api = route.kind in (API_LIST, API_DETAIL)

    client.logout()
    any_target = next(iter(inside.values()))
    url = route.url(any_target if route.kind in (DETAIL, API_DETAIL) else None)
    anon = client.get(url)
    if is_api:
        if anon.status_code not in (401, 403):
            failures.append(f"{route.name}: anonymous got {anon.status_code}")
    elif anon.status_code != 302 or "/accounts/login/" not in anon["Location"]:
        failures.append(f"{route.name}: anonymous got {anon.status_code}, expected redirect to login")

    for user_key, target in [
        *((k, (v, True)) for k, v in inside.items()),
        *((k, (v, False)) for k, v in outside.items()),
    ]:
        row, expect_visible = target
        user = district.user(user_key)
        client.force_login(user)
        holds = route.perm in ROLE_PERMS.get(role_of(district, user_key), frozenset()) and route.perm in perms_of(
            user, office=not (is_api or route.own_records)
        )
        url = route.url(row if route.kind in (DETAIL, API_DETAIL) else None)
        response = client.get(url)
        label = f"{route.name} as {user_key} on {row}"
        if not holds:
            if response.status_code != 403:
                failures.append(f"{label}: without the action expected 403, got {response.status_code}")
            continue
        if route.kind in (DETAIL, API_DETAIL):
            expected = 200 if expect_visible else 404
            if response.status_code != expected:
                failures.append(f"{label}: expected {expected}, got {response.status_code}")
            continue
        if response.status_code != 200:
            failures.append(f"{label}: expected 200, got {response.status_code}")
            continue
        present = route.marker(row) in _body(response, route.kind)
        if present != expect_visible:
            failures.append(f"{label}: row {'missing from' if expect_visible else 'leaked into'} the {route.kind}")
    client.logout()
    return failures


def count_queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return len(ctx.captured_queries), response


def load_budgets(test_file: str) -> dict[str, int]:
    """Each app keeps ``tests/query_counts.json``: the most queries a page may cost, per route."""
    return json.loads((Path(test_file).parent / "query_counts.json").read_text(encoding="utf-8"))


# --- the registry of every URL name (api/tests/test_every_url_permissions.py) --------------------


@dataclass(frozen=True)
class Public:
    """A route anyone may open (login, schema, docs…): ``reason`` is one word saying why."""

    reason: str


@dataclass(frozen=True)
class Page:
    """A route without an object (a list, a form, a count). ``owner`` is the role that sees town
    A's rows in it; ``shows`` names the objects of the test world whose rows the page lists."""

    owner: str = "town_a"
    shows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Obj:
    """A route about one object. ``kwargs`` maps each URL parameter to (object key, attribute)
    of the test world, or to a list of literal values to try (e.g. every action); ``owner`` is the
    role that reaches town A's object (None: no role opens it as the world leaves it, e.g. a worker's
    own edit page for a file that is by then in force); ``get`` False for POST-only actions; ``also``
    names the other objects the page shows (their models count as exercised)."""

    kwargs: dict[str, Any]
    owner: str | None = "town_a"
    get: bool = True
    also: tuple[str, ...] = ()


def response_text(response: Any, *, with_headers: bool = False) -> str:
    """Everything a response shows a person: its body (streamed too), an xlsx's sheet XML and, with
    ``with_headers``, its headers and cookies — what a leak test searches."""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    parts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":  # an xlsx: search the sheets' XML
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    if with_headers:
        parts += [f"{k}: {v}" for k, v in response.items()]
        parts += [unquote(c.value) for c in response.cookies.values()]
    return "\n".join(parts)


def pk_of(code: str) -> int:
    """The id a picker posts for the organisation with this code (forms take ids, never typed codes)."""
    from orgs.models import Organisation

    return Organisation.objects.get(code=code).pk
