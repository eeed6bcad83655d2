from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgs import services
from orgs.models import Organisation, RoleAssignment
from orgs.registry import _close_guards, register_close_guard
from orgs.roles import Perm, Role
from orgs.scope import can_at, scoped

pytestmark = pytest.mark.django_db
K = Organisation.Kind


def test_create_generates_a_stable_code_under_the_parent(district):
    org = services.organisation_create(
        actor=district.user("town_a"), parent=district.town_a, name="新村工会联合会", kind=K.VILLAGE_JOINT
    )
    assert org.code == "T-A-003"  # after the existing T-A-1 and T-A-2
    assert org.path.startswith(district.town_a.path) and org.depth == 3


def test_create_outside_scope_is_refused(district):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=district.user("town_a"), parent=district.town_b, name="x", kind=K.ENTERPRISE)


def test_create_refuses_a_kind_that_cannot_sit_there(district):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=district.user("admin"), parent=district.union_a, name="某镇", kind=K.TOWN)
    assert "不能设立" in str(exc.value)


def test_credit_code_check_digit_is_validated(district):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=district.user("admin"),
            parent=district.town_a,
            name="坏代码公司工会",
            kind=K.ENTERPRISE,
            credit_code="91350100M000100Y44",
        )
    assert "credit_code" in exc.value.error_dict
    assert not Organisation.objects.filter(name="坏代码公司工会").exists()


def test_duplicate_active_credit_code_is_refused(district):
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=district.user("admin"),
            parent=district.town_b,
            name="重复",
            kind=K.ENTERPRISE,
            credit_code=district.firm_a.credit_code,
        )


def test_move_keeps_everything_under_it(district):
    union = district.union_a
    child = services.organisation_create(
        actor=None, parent=union, code="T-A-1-1", name="村办企业工会", kind=K.ENTERPRISE
    )
    chair = district.user("chair_a")
    services.organisation_move(actor=district.user("admin"), organisation=union, new_parent=district.town_b)
    union.refresh_from_db()
    child.refresh_from_db()
    assert union.code == "T-A-1" and union.path.startswith(district.town_b.path)
    assert child.path.startswith(union.path) and child.depth == 4
    # the chair's grant follows the union; town A's officer lost it, town B's gained it
    chair = type(chair).objects.get(pk=chair.pk)
    assert set(scoped(chair, Perm.ORG_VIEW, Organisation.objects.all()).values_list("code", flat=True)) == {
        "T-A-1",
        "T-A-1-1",
    }
    town_a = type(chair).objects.get(username="town_a")
    town_b = type(chair).objects.get(username="town_b")
    assert not can_at(town_a, Perm.ORG_VIEW, child)
    assert can_at(town_b, Perm.ORG_VIEW, child)
    assert RoleAssignment.objects.filter(organisation=union).count() == 3  # chair_a, worker_a, assist_a


def test_move_into_own_subtree_is_refused(district):
    with pytest.raises(ValidationError):
        services.organisation_move(
            actor=district.user("admin"), organisation=district.town_a, new_parent=district.union_a
        )


def test_move_needs_the_move_action_on_both_sides(district):
    with pytest.raises(PermissionDenied):
        services.organisation_move(
            actor=district.user("town_a"), organisation=district.union_a, new_parent=district.town_b
        )


def test_close_refused_while_children_are_active(district):
    with pytest.raises(ValidationError) as exc:
        services.organisation_close(
            actor=district.user("admin"), organisation=district.town_a, closed_on=date(2026, 1, 5), reason="合并"
        )
    assert "下级组织" in exc.value.messages[0]
    district.town_a.refresh_from_db()
    assert district.town_a.status == Organisation.Status.ACTIVE


def test_close_refused_by_a_registered_guard(district):
    def guard(org):
        return "仍有 3 件未办结诉求" if org.code == "T-B-1" else None

    register_close_guard(guard)
    try:
        with pytest.raises(ValidationError) as exc:
            services.organisation_close(
                actor=district.user("admin"),
                organisation=district.union_b,
                closed_on=date(2026, 1, 5),
                reason="企业注销",
            )
        assert "未办结诉求" in exc.value.messages[0]
    finally:
        _close_guards.remove(guard)


def test_close_records_date_reason_and_history(district):
    org = services.organisation_close(
        actor=district.user("admin"), organisation=district.firm_a, closed_on=date(2026, 3, 1), reason="企业注销"
    )
    assert org.status == Organisation.Status.CLOSED and org.closed_on == date(2026, 3, 1)
    assert org.history.first().history_change_reason == "企业注销"
    with pytest.raises(ValidationError):
        services.organisation_create(actor=None, parent=org, name="x", kind=K.OTHER)


def test_close_requires_a_reason(district):
    with pytest.raises(ValidationError):
        services.organisation_close(
            actor=district.user("admin"), organisation=district.firm_a, closed_on=date(2026, 3, 1), reason=" "
        )


def test_role_grant_cannot_escalate(district):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=district.user("town_a"),
            user=district.user("nobody"),
            role=Role.DISTRICT_ADMIN,
            organisation=district.union_a,
        )
    with pytest.raises(PermissionDenied):  # outside scope
        services.role_grant(
            actor=district.user("town_a"),
            user=district.user("nobody"),
            role=Role.GRASSROOTS_CHAIR,
            organisation=district.union_b,
        )
    services.role_grant(
        actor=district.user("town_a"),
        user=district.user("nobody"),
        role=Role.GRASSROOTS_CHAIR,
        organisation=district.union_a,
    )
    assert can_at(district.user("nobody"), Perm.MEMBER_VIEW, district.union_a)


def test_role_grant_twice_is_a_clear_error(district):
    with pytest.raises(ValidationError) as exc:
        services.role_grant(
            actor=None, user=district.user("chair_a"), role=Role.GRASSROOTS_CHAIR, organisation=district.union_a
        )
    assert "已有此角色" in exc.value.messages[0]


def test_role_grant_and_revoke_are_audited(district):
    from core.models import AuditEvent

    a = services.role_grant(
        actor=district.user("admin"), user=district.user("nobody"), role=Role.AUDITOR, organisation=district.root
    )
    services.role_revoke(actor=district.user("admin"), assignment=a)
    kinds = list(AuditEvent.objects.filter(object_type="orgs.roleassignment").values_list("kind", flat=True))
    assert set(kinds) == {AuditEvent.Kind.ROLE_GRANTED, AuditEvent.Kind.ROLE_REVOKED}
