from __future__ import annotations

import pytest

from orgs.models import Organisation, RoleAssignment
from orgs.roles import Perm, Role, ScopeMode
from orgs.scope import can_at, get_scoped_or_404, has_perm, scoped, subtree_q
from orgs.services import role_grant

pytestmark = pytest.mark.django_db


def codes(user, perm=Perm.ORG_VIEW):
    return set(scoped(user, perm, Organisation.objects.all()).values_list("code", flat=True))


def test_district_admin_sees_every_organisation(district):
    assert codes(district.user("admin")) == set(Organisation.objects.values_list("code", flat=True))


def test_town_officer_sees_only_own_subtree(district):
    assert codes(district.user("town_a")) == {"T-A", "T-A-1", "T-A-2"}
    assert codes(district.user("town_b")) == {"T-B", "T-B-1"}


def test_grassroots_chair_sees_only_own_union(district):
    assert codes(district.user("chair_a")) == {"T-A-1"}


def test_partner_officer_sees_only_partner_org(district):
    assert codes(district.user("women")) == {"T-W"}


def test_no_role_means_no_data(district):
    nobody = district.user("nobody")
    assert codes(nobody) == set()
    assert not has_perm(nobody, Perm.ORG_VIEW)


def test_role_without_the_action_sees_nothing(district):
    # a worker's role grants no organisation browsing at all
    assert codes(district.user("worker_a")) == set()
    assert codes(district.user("econ"), Perm.FUND_VIEW) == set()


def test_org_only_scope_excludes_children(district):
    user = district.user("nobody")
    role_grant(actor=None, user=user, role=Role.SUB_OFFICER, organisation=district.town_b, scope=ScopeMode.ORG)
    assert codes(user) == {"T-B"}


def test_two_grants_union_without_duplicates(district):
    user = district.user("town_a")
    role_grant(actor=None, user=user, role=Role.SUB_OFFICER, organisation=district.town_b)
    role_grant(actor=None, user=user, role=Role.SOCIAL_WORKER, organisation=district.union_b)  # nested in town_b
    qs = scoped(user, Perm.ORG_VIEW, Organisation.objects.all())
    assert qs.count() == 5 == len(set(qs.values_list("pk", flat=True)))


def test_can_at_matches_scoped(district):
    for key in ("admin", "town_a", "town_b", "chair_a", "women", "nobody"):
        user = district.user(key)
        visible = codes(user)
        for org in Organisation.objects.all():
            assert can_at(user, Perm.ORG_VIEW, org) == (org.code in visible), (key, org.code)


def test_get_scoped_or_404_hides_existence(district):
    from django.http import Http404

    with pytest.raises(Http404):
        get_scoped_or_404(district.user("town_a"), Perm.ORG_VIEW, Organisation.objects.all(), code="T-B-1")


def test_inactive_user_sees_nothing(district):
    user = district.user("admin")
    user.is_active = False
    user.save()
    fresh = type(user).objects.get(pk=user.pk)
    assert codes(fresh) == set()


def test_subtree_range_is_exact_on_sibling_prefixes(district):
    """A sibling whose path shares a prefix must not fall into the range (0001 vs 00010001 vs 0002)."""
    root_path = district.root.path
    inside = set(Organisation.objects.filter(subtree_q("path", district.town_a.path)).values_list("code", flat=True))
    assert inside == {"T-A", "T-A-1", "T-A-2"}
    everything = Organisation.objects.filter(subtree_q("path", root_path)).count()
    assert everything == Organisation.objects.count()


def test_grants_are_cached_per_user_object(district, django_assert_num_queries):
    user = type(district.user("town_a")).objects.get(username="town_a")
    with django_assert_num_queries(1):
        has_perm(user, Perm.ORG_VIEW)
        has_perm(user, Perm.MEMBER_VIEW)
        can_at(user, Perm.ORG_VIEW, district.union_a)
    assert RoleAssignment.objects.filter(user=user).count() == 1
