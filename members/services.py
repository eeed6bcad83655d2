"""Changes to the member registry: registration, updates, transfer (转会), leaving (退会), honours,
and the audited reveal of a full personal-data value.

Which union keeps what after a transfer (DESIGN.md §8): the old union keeps its own membership
row (status 已转出, with the end date and a link to the new membership), so its rosters, counts
on past dates and any records made while the person belonged to it stay with it. The person's file
(``Person.organisation``: contact data, honours, the current roster entry, and every record made
from the transfer on) moves to the new union. The detail page shows the whole chain of memberships.

Every function validates first and raises ``django.core.exceptions.ValidationError`` with Chinese
field messages; nothing is written unless everything is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from core.audit import audit_log
from core.crypto import blind_index, blind_index_candidates, mask_address, mask_id_number, mask_landline, mask_phone
from core.models import AuditEvent
from core.validators import parse_id_number, validate_mobile, validate_phone
from members.models import Honour, Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at

ID_PURPOSE = "id_number"
MOBILE_PURPOSE = "mobile"

# Fields a caller may set on a person (sex and birth date always come from the ID number).
PERSON_FIELDS = (
    "name",
    "id_number",
    "mobile",
    "phone",
    "address",
    "ethnicity",
    "education",
    "political_status",
    "employer",
    "post",
    "skill_level",
    "hukou_type",
    "is_migrant_worker",
)
# Allowed stored values per choice field (computed once: enum properties rebuild lists per call).
CHOICE_VALUES: dict[str, frozenset[str]] = {
    "education": frozenset(Person.Education.values),
    "political_status": frozenset(Person.Political.values),
    "skill_level": frozenset(Person.SkillLevel.values),
    "hukou_type": frozenset(Person.Hukou.values),
}
REVEALABLE_FIELDS = {"id_number": "身份证号", "mobile": "手机号", "phone": "联系电话", "address": "住址"}
PII_MASKS = {"id_number": mask_id_number, "mobile": mask_phone, "phone": mask_landline, "address": mask_address}
# Who a person *is*: kept on re-registration, and changed only by someone over all of their unions.
IDENTITY_FIELDS = ("name", "id_number", "sex", "birth_date")
IDENTITY_DENIED = "身份信息（姓名、身份证号、性别、出生日期）只能由区总工会（或管辖此人全部会籍的工会）更正"


def id_index(value: str) -> str:
    return blind_index(value, purpose=ID_PURPOSE)


def mobile_index(value: str) -> str:
    return blind_index(value, purpose=MOBILE_PURPOSE) if value else ""


def id_index_candidates(value: str) -> list[str]:
    """What to look an ID number up by (``id_number_index__in``): during a data-key rotation a row
    not yet rewritten carries the retiring key's index value."""
    return blind_index_candidates(value, purpose=ID_PURPOSE)


def mobile_index_candidates(value: str) -> list[str]:
    return blind_index_candidates(value, purpose=MOBILE_PURPOSE)


def _check(user: Any, perm: str, organisation: Organisation) -> None:
    """``user=None`` is the system (management commands, demo); a person must hold ``perm`` there."""
    if user is not None and not can_at(user, perm, organisation):
        raise PermissionDenied(f"您无权在“{organisation.name}”办理此业务")


def clean_person_data(data: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Normalise and validate person fields; returns model-ready values (sex/birth date derived).

    Raises ``ValidationError`` with a dict of field → Chinese messages.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key in PERSON_FIELDS:
        if key in data:
            value = data[key]
            out[key] = value.strip() if isinstance(value, str) else value
    if "name" in out:
        name = "".join((out["name"] or "").split())
        if not name:
            errors.setdefault("name", []).append("姓名不能为空")
        elif len(name) > 50:
            errors.setdefault("name", []).append("姓名不能超过50个字")
        out["name"] = name
    if "id_number" in out:
        try:
            info = parse_id_number(out["id_number"], today=today)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
        else:
            out["id_number"] = info.number
            out["id_number_index"] = id_index(info.number)
            out["sex"] = info.sex
            out["birth_date"] = info.birth_date
    for key, validate, index_key in (("mobile", validate_mobile, "mobile_index"), ("phone", validate_phone, None)):
        if key not in out:
            continue
        if out[key] in (None, ""):
            out[key] = ""
        else:
            try:
                out[key] = validate(out[key])
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
                continue
        if index_key:
            out[index_key] = mobile_index(out[key]) if out[key] else ""
    for key, allowed in CHOICE_VALUES.items():
        if key in out:
            out[key] = out[key] or ""
            if out[key] and out[key] not in allowed:
                label = Person._meta.get_field(key).verbose_name
                errors.setdefault(key, []).append(f"{label}“{out[key]}”不是可选值")
    for key, limit in (("ethnicity", 20), ("employer", 120), ("post", 60)):
        if key in out:
            out[key] = out[key] or ""
            if len(out[key]) > limit:
                label = Person._meta.get_field(key).verbose_name
                errors.setdefault(key, []).append(f"{label}不能超过{limit}个字")
    if "ethnicity" in out and not out["ethnicity"]:
        out["ethnicity"] = "汉族"
    if "address" in out:
        out["address"] = out["address"] or ""
    if "is_migrant_worker" in out:
        out["is_migrant_worker"] = bool(out["is_migrant_worker"])
    if errors:
        raise ValidationError(errors)
    return out


def next_member_numbers(organisation: Organisation, count: int, *, after: int | None = None) -> list[str]:
    """``count`` fresh member numbers ``<union code>-<6-digit sequence>`` for a union.

    The sequence continues from the highest number of this union's memberships (read through the
    (organisation, status) index, not a scan of the whole registry); numbers someone typed by hand
    that happen to collide are skipped. ``after`` gives the last sequence used when the caller
    already knows it (bulk loaders).
    """
    tops = {organisation.pk: after} if after is not None else None
    return member_number_batches({organisation: count}, tops=tops)[organisation.pk]


def member_number_batches(
    wanted: dict[Organisation, int], *, tops: dict[int, int] | None = None
) -> dict[int, list[str]]:
    """Fresh member numbers for several unions at once (bulk import): two queries, not two per union."""
    wanted = {org: n for org, n in wanted.items() if n > 0}
    if not wanted:
        return {}
    if tops is None:
        tops = {}
        prefixes = {org.pk: f"{org.code}-" for org in wanted}
        rows = Membership.objects.filter(organisation__in=list(wanted)).values_list("organisation_id", "member_no")
        for org_pk, no in rows.iterator(chunk_size=5000):
            prefix = prefixes[org_pk]
            if no.startswith(prefix) and no[len(prefix) :].isdigit():
                tops[org_pk] = max(tops.get(org_pk, 0), int(no[len(prefix) :]))
    out: dict[int, list[str]] = {org.pk: [] for org in wanted}
    pending = dict(wanted)
    while pending:
        candidates: dict[str, int] = {}
        ranges: list[tuple[str, str]] = []
        for org, n in pending.items():
            top = tops.get(org.pk, 0)
            count = n - len(out[org.pk])
            names = [f"{org.code}-{top + i:06d}" for i in range(1, count + 1)]
            candidates.update(dict.fromkeys(names, org.pk))
            ranges.append((names[0], names[-1]))
            tops[org.pk] = top + count
        taken = _numbers_taken(candidates, ranges)
        for name, org_pk in candidates.items():
            if name not in taken:
                out[org_pk].append(name)
        pending = {org: n for org, n in pending.items() if len(out[org.pk]) < n}
    return out


def _numbers_taken(candidates: dict[str, int], ranges: list[tuple[str, str]]) -> set[str]:
    """Which candidate numbers are already used anywhere. Each union's candidates form one range
    of equal-length numbers, so a query per 200 unions asks for the few rows inside those ranges
    instead of looking up every candidate (a 100,000-row import has 100,000 candidates)."""
    if any(len(lo) != len(hi) for lo, hi in ranges):  # past 999999 the numbers grow a digit
        names = list(candidates)
        return {
            no
            for start in range(0, len(names), 5000)
            for no in Membership.objects.filter(member_no__in=names[start : start + 5000]).values_list(
                "member_no", flat=True
            )
        }
    taken: set[str] = set()
    for start in range(0, len(ranges), 200):
        condition = Q()
        for lo, hi in ranges[start : start + 200]:
            condition |= Q(member_no__gte=lo, member_no__lte=hi)
        taken.update(
            n for n in Membership.objects.filter(condition).values_list("member_no", flat=True) if n in candidates
        )
    return taken


def _check_union(organisation: Organisation) -> None:
    if not organisation.is_grassroots:
        raise ValidationError({"organisation": [f"“{organisation.name}”不是基层工会，会员只能加入基层工会"]})
    if not organisation.is_active:
        raise ValidationError({"organisation": [f"“{organisation.name}”已撤销，不能接收会员"]})


def _check_member_no(member_no: str, *, exclude_pk: int | None = None) -> str:
    member_no = "".join((member_no or "").split())
    if len(member_no) > 32:
        raise ValidationError({"member_no": ["会员编号不能超过32个字符"]})
    qs = Membership.objects.filter(member_no=member_no)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if member_no and qs.exists():
        raise ValidationError({"member_no": [f"会员编号“{member_no}”已被使用"]})
    return member_no


def _check_date(field: str, value: date | None, label: str) -> date:
    if value is None:
        raise ValidationError({field: [f"{label}不能为空"]})
    if value > timezone.localdate():
        raise ValidationError({field: [f"{label}不能晚于今天"]})
    return value


@dataclass(frozen=True)
class Registration:
    person: Person
    membership: Membership
    created_person: bool


@transaction.atomic
def member_register(
    *,
    actor: Any,
    organisation: Organisation,
    joined_on: date,
    data: dict[str, Any],
    member_no: str = "",
) -> Registration:
    """Register a person (or find them by ID number) and make them an active member of a union.

    A person already active in another union is refused: that is a transfer (``membership_transfer``).
    A former member found by the ID number keeps who they are (``IDENTITY_FIELDS``): a different
    name is refused unless the actor may change the identity (``person_identity_changeable``); the
    other fields typed in replace the stored ones, fields left blank keep them.
    """
    _check(actor, Perm.MEMBER_CHANGE, organisation)
    _check_union(organisation)
    clean = clean_person_data(data)
    if "id_number" not in clean:
        raise ValidationError({"id_number": ["身份证号码不能为空"]})
    if "name" not in clean:
        raise ValidationError({"name": ["姓名不能为空"]})
    _check_date("joined_on", joined_on, "入会日期")
    if joined_on < clean["birth_date"]:
        raise ValidationError({"joined_on": ["入会日期不能早于出生日期"]})
    member_no = _check_member_no(member_no) or next_member_numbers(organisation, 1)[0]
    person = (
        Person.objects.select_for_update().filter(id_number_index__in=id_index_candidates(clean["id_number"])).first()
    )
    created = person is None
    if person is not None:
        active = person.memberships.active_on().select_related("organisation").first()
        if active is not None:
            where = (
                active.organisation.name
                if actor is None or can_at(actor, Perm.MEMBER_VIEW, active.organisation)
                else "其他工会"
            )
            raise ValidationError({"id_number": [f"此人已是“{where}”的在册会员，如需变更请办理转会"]})
        _reregister_fields(actor=actor, person=person, data=data, clean=clean)
    else:
        person = Person(**clean)
    person.organisation = organisation
    person._change_reason = "登记入会"  # type: ignore[attr-defined]
    person.save()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person, organisation=organisation, member_no=member_no, joined_on=joined_on
            )
    except IntegrityError:
        raise ValidationError({"member_no": ["会员编号已被使用，或此人已有在册会籍，请刷新后重试"]}) from None
    return Registration(person=person, membership=membership, created_person=created)


def person_identity_changeable(*, actor: Any, person: Person) -> bool:
    """Whether ``actor`` may change who ``person`` is (name, ID number and so sex and birth date).

    "The district's permission" is ``members.change`` held over the district root (区总工会管理员,
    组织部干部): it covers every union. Short of that, an officer may correct the identity only of a
    person whose every union (each membership's, and the file's) lies in their change scope, e.g. a
    typo fixed after registering someone new. A person who belongs or once belonged to a union
    outside it keeps their identity: another town's officer cannot take the record over.
    ``actor=None`` is the system.
    """
    if actor is None:
        return True
    org_ids = set(person.memberships.values_list("organisation_id", flat=True))
    if person.organisation_id is not None:
        org_ids.add(person.organisation_id)
    return all(can_at(actor, Perm.MEMBER_CHANGE, org) for org in Organisation.objects.filter(pk__in=org_ids))


def _reregister_fields(*, actor: Any, person: Person, data: dict[str, Any], clean: dict[str, Any]) -> None:
    """Apply a registration form to a former member: identity kept, blank fields keep stored values."""
    if clean["name"] != person.name:
        if not person_identity_changeable(actor=actor, person=person):
            raise ValidationError({"name": [f"该身份证号已有登记，所填姓名与登记信息不一致。{IDENTITY_DENIED}"]})
        person.name = clean["name"]
    for key in PERSON_FIELDS:
        if key in IDENTITY_FIELDS or key not in data:
            continue
        if isinstance(data[key], str) and not data[key].strip():
            continue  # left blank: the stored value stays
        setattr(person, key, clean[key])
        if key == "mobile":
            person.mobile_index = clean["mobile_index"]


def person_pii_shown(person: Person, *, full: bool) -> dict[str, str]:
    """What a form shows of the personal-data fields: masked, or (``full``, audited by the caller)
    the stored values."""
    return {
        key: (getattr(person, key) or "") if full else mask(getattr(person, key)) for key, mask in PII_MASKS.items()
    }


def person_pii_unchanged_dropped(*, data: dict[str, Any], shown: dict[str, str]) -> dict[str, Any]:
    """``data`` without the personal-data fields submitted exactly as they were shown, so a masked
    value sent back keeps the stored one and only a value typed anew replaces it. A value that still
    carries mask stars but differs from what was shown is refused (nothing is written)."""
    out = dict(data)
    errors: dict[str, list[str]] = {}
    for key, was in shown.items():
        if key not in out:
            continue
        value = out[key].strip() if isinstance(out[key], str) else out[key]
        if value == was:
            del out[key]
        elif isinstance(value, str) and "*" in value:
            label = REVEALABLE_FIELDS[key]
            errors[key] = [f"{label}仍含脱敏的“*”：请保留原样（不修改）或输入完整的新{label}"]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's own data; an ID number change re-derives sex and birth date."""
    if person.organisation is not None:
        _check(actor, Perm.MEMBER_CHANGE, person.organisation)
    clean = clean_person_data(data)
    new_index = clean.get("id_number_index")
    if (
        new_index
        and new_index != person.id_number_index
        and Person.objects.filter(id_number_index__in=id_index_candidates(clean["id_number"]))
        .exclude(pk=person.pk)
        .exists()
    ):
        raise ValidationError({"id_number": ["该身份证号码已登记为另一人"]})
    changed = [k for k, v in clean.items() if getattr(person, k) != v]
    if not changed:
        return person
    identity = [k for k in ("name", "id_number_index") if k in changed]
    if identity and not person_identity_changeable(actor=actor, person=person):
        field = "name" if identity[0] == "name" else "id_number"
        raise ValidationError({field: [f"此人在您管理范围以外的工会有过会籍。{IDENTITY_DENIED}"]})
    for key in changed:
        setattr(person, key, clean[key])
    person._change_reason = "修改会员信息"  # type: ignore[attr-defined]
    person.save()
    return person


def _active_membership(person: Person) -> Membership:
    active = (
        Membership.objects.active_on().select_for_update().select_related("organisation").filter(person=person).first()
    )
    if active is None:
        raise ValidationError({"person": [f"“{person.name}”当前没有在册会籍"]})
    return active


@transaction.atomic
def membership_transfer(
    *,
    actor: Any,
    person: Person,
    to_organisation: Organisation,
    on: date,
    reason: str = "",
    member_no: str = "",
) -> Membership:
    """转会: end the active membership as 已转出 and start one in ``to_organisation`` on the same day.

    The actor needs the change permission over both unions (the sending and the receiving one).
    """
    old = _active_membership(person)
    _check(actor, Perm.MEMBER_CHANGE, old.organisation)
    _check(actor, Perm.MEMBER_CHANGE, to_organisation)
    _check_union(to_organisation)
    if to_organisation.pk == old.organisation_id:
        raise ValidationError({"to_organisation": ["转入工会与当前工会相同"]})
    _check_date("on", on, "转会日期")
    if on < old.joined_on:
        raise ValidationError({"on": [f"转会日期不能早于入会日期 {old.joined_on:%Y-%m-%d}"]})
    reason = (reason or "").strip()[:200]
    member_no = _check_member_no(member_no) or next_member_numbers(to_organisation, 1)[0]
    old.status = Membership.Status.TRANSFERRED
    old.ended_on = on
    old.end_reason = reason or f"转入{to_organisation.name}"
    old._change_reason = "转出"  # type: ignore[attr-defined]
    old.save()
    new = Membership.objects.create(person=person, organisation=to_organisation, member_no=member_no, joined_on=on)
    old.transferred_to = new
    old.save(update_fields=["transferred_to"])
    person.organisation = to_organisation
    person._change_reason = f"转会至{to_organisation.name}"  # type: ignore[attr-defined]
    person.save(update_fields=["organisation", "updated_at"])
    return new


@transaction.atomic
def membership_leave(*, actor: Any, person: Person, on: date, reason: str) -> Membership:
    """退会: the membership ends as 已退会 with its date and reason; the file stays with the union."""
    active = _active_membership(person)
    _check(actor, Perm.MEMBER_CHANGE, active.organisation)
    _check_date("on", on, "退会日期")
    if on < active.joined_on:
        raise ValidationError({"on": [f"退会日期不能早于入会日期 {active.joined_on:%Y-%m-%d}"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写退会原因"]})
    active.status = Membership.Status.LEFT
    active.ended_on = on
    active.end_reason = reason[:200]
    active._change_reason = "退会"  # type: ignore[attr-defined]
    active.save()
    return active


@transaction.atomic
def honour_add(
    *,
    actor: Any,
    person: Person,
    title: str,
    level: str,
    awarded_on: date,
    awarded_by: str = "",
    note: str = "",
) -> Honour:
    if person.organisation is not None:
        _check(actor, Perm.MEMBER_CHANGE, person.organisation)
    errors: dict[str, list[str]] = {}
    if title not in Honour.Title.values:
        errors["title"] = ["请选择荣誉称号"]
    if level not in Honour.Level.values:
        errors["level"] = ["请选择荣誉级别"]
    if awarded_on is None or awarded_on > timezone.localdate():
        errors["awarded_on"] = ["授予日期不能为空，也不能晚于今天"]
    elif awarded_on < person.birth_date:
        errors["awarded_on"] = ["授予日期不能早于出生日期"]
    if errors:
        raise ValidationError(errors)
    return Honour.objects.create(
        person=person,
        title=title,
        level=level,
        awarded_on=awarded_on,
        awarded_by=(awarded_by or "").strip()[:100],
        note=(note or "").strip()[:200],
    )


@transaction.atomic
def honour_remove(*, actor: Any, honour: Honour) -> None:
    if honour.person.organisation is not None:
        _check(actor, Perm.MEMBER_CHANGE, honour.person.organisation)
    try:
        with transaction.atomic():
            honour.delete()
    except ProtectedError as exc:  # an award of a competition result (activities) keeps its honour
        raise ValidationError("该荣誉来自竞赛获奖记录，不能在会员档案中删除") from exc


def person_pii_full_view(*, actor: Any, person: Person, request: Any = None) -> dict[str, str]:
    """The stored personal-data values for an edit form shown in full: the same permission as a
    reveal, and one audit entry naming the fields shown."""
    if person.organisation is None or not can_at(actor, Perm.MEMBER_VIEW_PII, person.organisation):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=person,
        summary=f"在编辑表单中查看了{person.name}的完整{'、'.join(REVEALABLE_FIELDS.values())}",
        detail={
            "person_id": person.pk,
            "fields": list(REVEALABLE_FIELDS),
            "organisation": person.organisation.code,
            "via": "edit_form",
        },
    )
    return person_pii_shown(person, full=True)


def person_reveal(*, actor: Any, person: Person, field: str, request: Any = None) -> str:
    """The full value of one personal-data field, for a holder of the PII permission at the
    person's union; every reveal is written to the security audit trail (who saw whose field)."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": ["不能查看该字段"]})
    if person.organisation is None or not can_at(actor, Perm.MEMBER_VIEW_PII, person.organisation):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    value = getattr(person, field) or ""
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=person,
        summary=f"查看了{person.name}的完整{REVEALABLE_FIELDS[field]}",
        detail={"person_id": person.pk, "field": field, "organisation": person.organisation.code},
    )
    return value
