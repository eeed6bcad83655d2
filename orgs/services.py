"""Changing the organisation tree and role grants. Every function checks the actor's scope itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.audit import audit_log
from core.models import AuditEvent, User
from core.validators import normalize_credit_code
from orgs.models import Organisation, RoleAssignment
from orgs.registry import after_move, close_refusals
from orgs.roles import Perm, Role, ScopeMode, default_scope_for
from orgs.scope import PATH_UPPER_SENTINEL, Reach, can_at, can_grant, forget_grants, grant_reach

K = Organisation.Kind

# Which kinds may sit under which (the district's shape; partners hang under the district).
ALLOWED_CHILD_KINDS: dict[str, frozenset[str]] = {
    K.DISTRICT: frozenset(
        Organisation.SUB_FEDERATION_KINDS | Organisation.GRASSROOTS_KINDS | Organisation.PARTNER_KINDS
    ),
    K.TOWN: frozenset(Organisation.GRASSROOTS_KINDS | {K.YOUTH_LEAGUE, K.WOMENS_FEDERATION}),
    K.STREET: frozenset(Organisation.GRASSROOTS_KINDS | {K.YOUTH_LEAGUE, K.WOMENS_FEDERATION}),
    K.ZONE: frozenset(Organisation.GRASSROOTS_KINDS),
    K.SECTOR: frozenset(Organisation.GRASSROOTS_KINDS),
    K.ENTERPRISE: frozenset({K.ENTERPRISE, K.OTHER}),
    K.VILLAGE_JOINT: frozenset({K.ENTERPRISE, K.OTHER}),
    K.COMMUNITY_JOINT: frozenset({K.ENTERPRISE, K.OTHER}),
    K.INSTITUTION: frozenset({K.OTHER}),
    K.OTHER: frozenset(),
    K.YOUTH_LEAGUE: frozenset(),
    K.WOMENS_FEDERATION: frozenset(),
    K.GOVERNMENT: frozenset(),
}

EDITABLE_FIELDS = (
    "name",
    "kind",
    "founded_on",
    "employer_name",
    "credit_code",
    "economic_type",
    "chair_name",
    "chair_full_time",
    "vice_chairs",
    "address",
    "contact_phone",
)


def _require(actor: User, perm: str, organisation: Organisation) -> None:
    if not can_at(actor, perm, organisation):
        raise PermissionDenied("您无权对该组织执行此操作")


def _check_kind(parent: Organisation, kind: str) -> None:
    if kind not in ALLOWED_CHILD_KINDS.get(parent.kind, frozenset()):
        raise ValidationError({"kind": f"“{parent.get_kind_display()}”下不能设立“{K(kind).label}”"})


def _next_code(parent: Organisation) -> str:
    prefix = f"{parent.code}-"
    existing = Organisation.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers, default=0) + 1):03d}"


def credit_code_conflict(*, actor: User | None, code: str, exclude_pk: int | None = None) -> str | None:
    """Why ``code`` cannot be given to an active union, or None: another active union holds it.

    Compares the normal form (core.validators.normalize_credit_code). The other union is named only
    to an actor who may see it; anyone else learns that it exists, not where (no scope leak).
    """
    code = normalize_credit_code(code)
    if not code:
        return None
    other = (
        Organisation.objects.filter(credit_code=code, status=Organisation.Status.ACTIVE)
        .exclude(pk=exclude_pk)
        .only("pk", "name", "code", "path")
        .first()
    )
    if other is None:
        return None
    if actor is None or can_at(actor, Perm.ORG_VIEW, other):
        where = f"“{other.name}”（编码 {other.code}）"
    else:
        where = "另一个不在您管理范围内的工会（请联系区总工会核实）"
    return f"统一社会信用代码 {code} 已登记在{where}：同一单位只能有一个正常状态的工会，请核对代码"


def _clean(organisation: Organisation, *, actor: User | None = None) -> None:
    organisation.credit_code = normalize_credit_code(organisation.credit_code)
    if organisation.is_active:
        conflict = credit_code_conflict(actor=actor, code=organisation.credit_code, exclude_pk=organisation.pk)
        if conflict:
            raise ValidationError({"credit_code": conflict})
    organisation.full_clean(exclude=["path", "depth", "numchild"])


@contextmanager
def _credit_code_race(actor: User | None, organisation: Organisation) -> Iterator[None]:
    """The database constraint is the last word when two people register one code at once."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        conflict = credit_code_conflict(actor=actor, code=organisation.credit_code, exclude_pk=organisation.pk)
        if conflict:
            raise ValidationError({"credit_code": conflict}) from None
        raise


@transaction.atomic
def organisation_create_root(*, name: str, code: str, **fields: Any) -> Organisation:
    """The district federation itself: created by set-up and the demo, never from a page."""
    root = Organisation(name=name, code=code, kind=K.DISTRICT, **fields)
    _clean(root)
    return Organisation.objects.add_root(instance=root)


@transaction.atomic
def organisation_create(*, actor: User | None, parent: Organisation, **fields: Any) -> Organisation:
    """Add an organisation under ``parent``. ``actor`` None is for trusted set-up code only."""
    if actor is not None:
        _require(actor, Perm.ORG_CREATE, parent)
    if not parent.is_active:
        raise ValidationError("上级组织已撤销，不能在其下新建组织")
    _check_kind(parent, fields.get("kind", ""))
    if not fields.get("code"):
        fields["code"] = _next_code(parent)
    node = Organisation(**fields)
    _clean(node, actor=actor)
    with _credit_code_race(actor, node):
        return Organisation.objects.add_child(parent, instance=node)


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, data: dict[str, Any]) -> Organisation:
    _require(actor, Perm.ORG_CHANGE, organisation)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{', '.join(sorted(unknown))}")
    if "kind" in data and data["kind"] != organisation.kind and organisation.depth > 1:
        parent = Organisation.objects.get(path=organisation.parent_path)
        _check_kind(parent, data["kind"])
    for key, value in data.items():
        setattr(organisation, key, value)
    _clean(organisation, actor=actor)
    with _credit_code_race(actor, organisation):
        organisation.save()
    return organisation


@transaction.atomic
def organisation_move(*, actor: User, organisation: Organisation, new_parent: Organisation) -> Organisation:
    """Move an organisation with everything under it. Codes, members and records stay attached."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    if organisation.depth == 1:
        raise ValidationError("区总工会不能移动")
    old_parent = Organisation.objects.get(path=organisation.parent_path)
    _require(actor, Perm.ORG_MOVE, old_parent)
    _require(actor, Perm.ORG_MOVE, new_parent)
    if new_parent.path.startswith(organisation.path):
        raise ValidationError("不能把组织移动到它自己或它的下级组织之下")
    if new_parent.pk == old_parent.pk:
        raise ValidationError("新的上级组织与原上级组织相同")
    if not new_parent.is_active:
        raise ValidationError("目标上级组织已撤销")
    _check_kind(new_parent, organisation.kind)
    Organisation.objects.move(organisation, new_parent, pos="last-child")
    organisation.refresh_from_db()
    after_move(organisation)
    return organisation


@transaction.atomic
def organisation_close(*, actor: User, organisation: Organisation, closed_on: date, reason: str) -> Organisation:
    """Close (撤销) an organisation; refused while anything under it is still alive."""
    _require(actor, Perm.ORG_CLOSE, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.depth == 1:
        raise ValidationError("区总工会不能撤销")
    if not organisation.is_active:
        raise ValidationError("该组织已经撤销")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销原因"})
    refusals: list[str] = []
    active_children = Organisation.objects.filter(
        path__gt=organisation.path,
        path__lt=organisation.path + PATH_UPPER_SENTINEL,
        status=Organisation.Status.ACTIVE,
    ).count()
    if active_children:
        refusals.append(f"仍有 {active_children} 个下级组织未撤销")
    refusals.extend(close_refusals(organisation))
    if refusals:
        raise ValidationError(f"不能撤销“{organisation.name}”：{'；'.join(refusals)}")
    organisation.status = Organisation.Status.CLOSED
    organisation.closed_on = closed_on
    organisation._change_reason = reason  # recorded by simple-history
    organisation.save()
    return organisation


def grantable_roles(actor: User) -> list[tuple[str, str]]:
    """Roles the actor may hand out somewhere: only those granting nothing the actor lacks there."""
    return [(r.value, r.label) for r in Role if grant_reach(actor, r) != Reach((), ())]


@transaction.atomic
def role_grant(
    *, actor: User | None, user: User, role: str, organisation: Organisation, scope: str | None = None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": "未知角色"})
    scope = scope or default_scope_for(role)
    if scope not in ScopeMode.values:
        raise ValidationError({"scope": "未知数据范围"})
    if actor is not None:
        _require(actor, Perm.USER_MANAGE, organisation)
        if not can_grant(actor, role, organisation, scope):
            raise PermissionDenied("不能授予超出您自身权限或管理范围的角色")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, organisation=organisation, scope=scope, granted_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError("该用户在该组织已有此角色") from exc
    forget_grants(user)
    audit_log(
        AuditEvent.Kind.ROLE_GRANTED,
        user=actor,
        obj=assignment,
        summary=f"授予 {user.username}「{Role(role).label}」@ {organisation.name}",
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    _require(actor, Perm.USER_MANAGE, assignment.organisation)
    if not can_grant(actor, assignment.role, assignment.organisation, assignment.scope):
        raise PermissionDenied("不能撤销超出您自身权限或管理范围的角色")
    summary = f"撤销 {assignment.user.username}「{assignment.get_role_display()}」@ {assignment.organisation.name}"
    audit_log(AuditEvent.Kind.ROLE_REVOKED, user=actor, obj=assignment, summary=summary)
    assignment.delete()
    forget_grants(assignment.user)
