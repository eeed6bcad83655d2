from __future__ import annotations

import pytest

from assessment.models import OrganisationAssessment
from assessment.tests.factories import two_assessments
from orgs.roles import Perm
from orgs.testing import EXPORT, LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("assessment list", LIST, Perm.ORG_VIEW, lambda a: "/assessment/", lambda a: a.organisation.name),
        ScopedRoute(
            "assessment export",
            EXPORT,
            Perm.ORG_VIEW,
            lambda a: "/assessment/?export=xlsx",
            lambda a: a.organisation.name,
        ),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, route):
    a, b = two_assessments(district)
    inside = {"admin": a, "org_dept": b, "auditor": a, "town_a": a, "chair_a": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_entry_page(client, district):
    client.force_login(district.user("town_a"))
    r = client.post(
        "/assessment/", {"organisation": district.union_a.pk, "year": "2026", "score": "91", "passed": "on"}
    )
    assert r.status_code == 302 and OrganisationAssessment.objects.get().passed
    r = client.post("/assessment/", {"organisation": district.union_a.pk, "year": "2026", "score": "91"})
    assert r.status_code == 200 and "已有考评结果" in r.content.decode()
    assert r.context["form"].errors["year"] == [
        "湖边村工会 2026 年已有考评结果".replace("湖边村工会", district.union_a.name)
    ]
