"""Liaison coverage (盲点), the close guard and the tree counter."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from appeals.selectors import liaison_coverage
from appeals.tests.factories import liaison, make_appeal, make_person
from members.models import Membership
from orgs.services import organisation_close

pytestmark = pytest.mark.django_db


def _members(org, n):
    for _ in range(n):
        p = make_person(org)
        Membership.objects.create(person=p, organisation=org, member_no=f"M{p.pk:08d}", joined_on=date(2024, 1, 1))


def test_coverage_counts_gaps_loads_and_shares(district):
    _members(district.union_a, 3)
    _members(district.firm_a, 2)
    _members(district.union_b, 4)
    liaison(district, district.union_a)
    make_appeal(district)
    cov = liaison_coverage(district.user("rights"), district.town_a)
    assert (cov.unions, cov.covered, cov.members, cov.members_covered) == (2, 1, 5, 3)
    assert cov.share == 50 and cov.member_share == 60
    assert [(g["org"].code, g["members"]) for g in cov.gaps] == [("T-A-2", 2)]
    assert cov.loads == [
        {"liaison_id": district.user("social_a").pk, "name": "social_a", "unions": 1, "members": 3, "open_appeals": 1}
    ]
    whole = liaison_coverage(district.user("rights"), district.root)
    assert (whole.unions, whole.covered, whole.members) == (3, 1, 9)
    # scoped: 后沙峪镇's officer sees only their own union as a gap
    mine = liaison_coverage(district.user("town_b"), district.root)
    assert [g["org"].code for g in mine.gaps] == ["T-B-1"]


def test_gap_export_is_audited_and_scoped(client, district):
    from core.models import AuditEvent
    from orgs.testing import _xlsx_text

    client.force_login(district.user("town_a"))
    r = client.get("/appeals/liaisons/?export=gaps")
    text = _xlsx_text(b"".join(r.streaming_content))
    assert "T-A-1" in text and "T-B-1" not in text
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_union_with_open_requests_cannot_be_closed(district):
    make_appeal(district)
    with pytest.raises(ValidationError) as info:
        organisation_close(
            actor=district.user("admin"), organisation=district.union_a, closed_on=date(2026, 11, 1), reason="合并"
        )
    assert "未办结诉求" in " ".join(info.value.messages)


def test_tree_shows_open_requests(client, district):
    make_appeal(district)
    client.force_login(district.user("admin"))
    page = client.get(f"/orgs/{district.town_a.code}/").content.decode()
    assert "未办结诉求" in page


def test_liaison_whose_role_was_revoked_is_a_gap(district):
    from orgs.models import RoleAssignment
    from orgs.scope import forget_grants

    _members(district.union_a, 2)
    liaison(district, district.union_a)
    assert liaison_coverage(district.user("rights"), district.town_a).covered == 1
    RoleAssignment.objects.filter(user=district.user("social_a")).delete()
    forget_grants(district.user("social_a"))
    cov = liaison_coverage(district.user("rights"), district.town_a)
    assert cov.covered == 0 and cov.loads == []
    assert {g["org"].code: g["reason"] for g in cov.gaps}["T-A-1"] == "联络人已无该工会的办理权限"
