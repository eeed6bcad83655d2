from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import AuditEvent
from members import fake, selectors, services
from members.models import Honour, Membership, Person
from members.tests.factories import member
from orgs.models import Organisation
from orgs.registry import close_refusals
from orgs.selectors import with_counts

pytestmark = pytest.mark.django_db

ID = fake.id_number(4242)  # 1973-08-13? derived below


def register(district, actor=None, org=None, **data):
    base = {"name": "张 伟", "id_number": ID, "mobile": "138 1234 5678"}
    base.update(data)
    return services.member_register(
        actor=actor, organisation=org or district.union_a, joined_on=date(2024, 5, 1), data=base
    )


def test_register_normalises_and_derives(district):
    raw = ID[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + ID[17].lower()
    reg = register(district, actor=district.user("chair_a"), id_number=f" {raw} ")
    p = Person.objects.get(pk=reg.person.pk)
    assert p.id_number == ID and p.name == "张伟" and p.mobile == "13812345678"
    info_birth = date(int(ID[6:10]), int(ID[10:12]), int(ID[12:14]))
    assert p.birth_date == info_birth and p.sex == ("M" if int(ID[16]) % 2 else "F")
    assert p.id_number_index == services.id_index(ID) and p.mobile_index == services.mobile_index("13812345678")
    assert p.organisation == district.union_a
    assert reg.membership.member_no == "T-A-1-000001" and reg.membership.status == "active"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("id_number", ID[:17] + ("0" if ID[17] != "0" else "1"), "校验位"),
        ("id_number", "11011319900230001X", "出生日期"),
        ("id_number", "123", "长度"),
        ("mobile", "12345", "手机号码"),
        ("name", "  ", "姓名"),
    ],
)
def test_register_rejects_bad_values(district, field, value, fragment):
    with pytest.raises(ValidationError) as exc:
        register(district, **{field: value})
    assert field in exc.value.error_dict and fragment in str(exc.value)
    assert not Person.objects.exists()


def test_register_needs_grassroots_union_in_scope(district):
    with pytest.raises(ValidationError, match="不是基层工会"):
        register(district, org=district.town_a)
    with pytest.raises(PermissionDenied):
        register(district, actor=district.user("chair_a"), org=district.union_b)


def test_active_elsewhere_is_refused_not_moved(district):
    register(district)
    with pytest.raises(ValidationError, match="转会"):
        register(district, org=district.union_b)
    assert Membership.objects.get().organisation == district.union_a


def test_one_active_membership_is_a_database_constraint(district):
    m = member(district.union_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=m.person, organisation=district.union_b, member_no="X1", joined_on=date(2024, 1, 1)
        )


def test_transfer_keeps_history_and_moves_file(district):
    reg = register(district)
    new = services.membership_transfer(
        actor=district.user("admin"),
        person=reg.person,
        to_organisation=district.firm_a,
        on=date(2025, 3, 1),
        reason="调动",
    )
    old = Membership.objects.get(pk=reg.membership.pk)
    assert old.status == "transferred" and old.ended_on == date(2025, 3, 1) and old.transferred_to == new
    assert new.status == "active" and new.organisation == district.firm_a and new.joined_on == date(2025, 3, 1)
    assert Person.objects.get(pk=reg.person.pk).organisation == district.firm_a
    # the old union still sees its past membership; counts on past dates do not change
    assert selectors.visible_memberships(district.user("chair_a")).filter(pk=old.pk).exists()
    assert selectors.person_visible(district.user("chair_a"), reg.person.pk)
    assert selectors.active_member_count(district.union_a, on=date(2025, 1, 1)) == 1
    assert selectors.active_member_count(district.union_a) == 0
    assert selectors.active_member_count(district.firm_a) == 1


def test_transfer_needs_both_unions(district):
    reg = register(district)
    with pytest.raises(PermissionDenied):
        services.membership_transfer(
            actor=district.user("chair_a"), person=reg.person, to_organisation=district.union_b, on=date(2025, 3, 1)
        )
    with pytest.raises(ValidationError, match="相同"):
        services.membership_transfer(
            actor=None, person=reg.person, to_organisation=district.union_a, on=date(2025, 3, 1)
        )
    with pytest.raises(ValidationError, match="早于入会日期"):
        services.membership_transfer(
            actor=None, person=reg.person, to_organisation=district.union_b, on=date(2020, 3, 1)
        )
    assert Membership.objects.filter(status="active").get().organisation == district.union_a


def test_leave_records_date_and_reason(district):
    reg = register(district)
    with pytest.raises(ValidationError, match="原因"):
        services.membership_leave(actor=None, person=reg.person, on=date(2025, 1, 1), reason=" ")
    services.membership_leave(actor=district.user("chair_a"), person=reg.person, on=date(2025, 1, 1), reason="退休")
    m = Membership.objects.get()
    assert (m.status, m.ended_on, m.end_reason) == ("left", date(2025, 1, 1), "退休")
    assert Person.objects.get().organisation == district.union_a  # the file stays with its last union
    # rejoining later starts a new membership
    again = register(district, org=district.union_b)
    assert not again.created_person and again.person.pk == reg.person.pk
    assert Membership.objects.filter(person=reg.person).count() == 2


def test_honours(district):
    reg = register(district)
    h = services.honour_add(
        actor=None, person=reg.person, title="model_worker", level="city", awarded_on=date(2024, 4, 28)
    )
    assert str(h).endswith("（2024）")
    with pytest.raises(ValidationError):
        services.honour_add(actor=None, person=reg.person, title="nope", level="city", awarded_on=date(2099, 1, 1))
    services.honour_remove(actor=None, honour=h)
    assert not Honour.objects.exists()


def test_reveal_needs_pii_permission_and_is_audited(district):
    reg = register(district)
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=district.user("chair_a"), person=reg.person, field="id_number")
    with pytest.raises(PermissionDenied):  # the rights department of the district may, a town officer may not
        services.person_reveal(actor=district.user("town_a"), person=reg.person, field="mobile")
    assert not AuditEvent.objects.filter(kind="pii_view").exists()
    value = services.person_reveal(actor=district.user("rights"), person=reg.person, field="id_number")
    assert value == ID
    event = AuditEvent.objects.get(kind="pii_view")
    assert event.user == district.user("rights") and "张伟" in event.summary and "身份证号" in event.summary
    assert event.detail["field"] == "id_number" and event.object_id == str(reg.person.pk)


def test_update_rederives_and_keeps_unique(district):
    reg = register(district)
    other = member(district.union_a)
    with pytest.raises(ValidationError, match="另一人"):
        services.person_update(actor=None, person=reg.person, data={"id_number": other.person.id_number})
    new_id = fake.id_number(99)
    services.person_update(actor=None, person=reg.person, data={"id_number": new_id, "mobile": ""})
    p = Person.objects.get(pk=reg.person.pk)
    assert p.id_number == new_id and p.mobile == "" and p.mobile_index == ""


def test_counts_and_close_guard_and_tree_counter(district):
    for _ in range(3):
        member(district.union_a)
    member(district.firm_a)
    gone = member(district.union_b)
    services.membership_leave(actor=None, person=gone.person, on=date(2024, 6, 1), reason="离职")
    assert selectors.active_member_count(district.union_a) == 3
    assert selectors.active_member_count(district.town_a, subtree=True) == 4
    assert selectors.active_member_count(district.root, subtree=True) == 4
    assert selectors.active_member_count(district.union_b, on=date(2024, 1, 1)) == 1
    ids = [district.union_a.pk, district.union_b.pk, district.town_a.pk]
    assert selectors.member_counts(ids) == {district.union_a.pk: 3, district.union_b.pk: 0, district.town_a.pk: 0}
    assert selectors.member_counts(ids, subtree=True)[district.town_a.pk] == 4
    assert selectors.member_counts(ids, on=date(2024, 1, 1))[district.union_b.pk] == 1
    counted = {o.code: o.member_count for o in with_counts(Organisation.objects.all(), user=district.user("admin"))}
    assert counted["T"] == 4 and counted["T-A"] == 4 and counted["T-B"] == 0 and counted["T-A-1"] == 3
    assert any("在册会员" in r for r in close_refusals(district.town_a))
    assert close_refusals(district.town_b) == []
