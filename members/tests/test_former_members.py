"""Former members are not taken over: registering an ID number that another town's union once had
keeps the person's identity, and the officer sees only the memberships and history of their scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import Membership, Person
from members.tests.factories import member
from orgs.testing import pk_of

pytestmark = pytest.mark.django_db

OLD_ADDRESS = "北京市顺义区后沙峪镇西泗上村8号"


@pytest.fixture
def former(district):
    """乙会员: a member of town B's union who left it."""
    m = member(district.union_b, name="乙会员", address=OLD_ADDRESS)
    person = m.person
    services.person_update(actor=district.user("town_b"), person=person, data={"employer": "后沙峪旧单位"})
    services.membership_leave(actor=district.user("town_b"), person=person, on=date(2023, 6, 30), reason="乙方私事")
    person.refresh_from_db()
    return person


def _form(person: Person, **changes) -> dict:
    data = {"organisation": pk_of("T-A-1"), "joined_on": "2024-03-01", "name": person.name, "id_number": person.id_number,
            "ethnicity": "汉族"}  # fmt: skip
    data.update(changes)
    return data


def test_registering_a_former_member_of_another_town_keeps_identity_and_scope(client, district, former):
    identity = (former.name, former.id_number, former.sex, former.birth_date)
    old_mobile = former.mobile
    client.force_login(district.user("town_a"))
    # a different name with the ID number: refused, nothing written
    r = client.post("/members/new/", _form(former, name="冒名者", mobile="13911112222", address="别处"))
    assert r.status_code == 200 and "姓名与登记信息不一致" in r.content.decode()
    former.refresh_from_db()
    assert (former.name, former.mobile, former.address) == ("乙会员", old_mobile, OLD_ADDRESS)
    assert former.memberships.count() == 1
    # the same person registering again: identity kept, blank fields keep their stored values
    r = client.post("/members/new/", _form(former, employer="仁和新单位"))
    assert r.status_code == 302
    former.refresh_from_db()
    assert (former.name, former.id_number, former.sex, former.birth_date) == identity
    assert (former.mobile, former.address, former.employer) == (old_mobile, OLD_ADDRESS, "仁和新单位")
    assert former.organisation == district.union_a
    # the officer's page: their membership only, nothing of town B's records
    old = former.memberships.get(organisation=district.union_b)
    page = client.get(f"/members/{former.pk}/").content.decode()
    assert "沙坨村工会联合会" in page
    assert old.member_no not in page and "西泗上村联合会" not in page and "乙方私事" not in page
    assert "另有 1 条会籍记录" in page
    assert "town_b" not in page and "退会" not in page.split("变更记录")[1]
    # and they cannot rewrite the identity afterwards through the edit form or the API either
    with pytest.raises(ValidationError) as exc:
        services.person_update(actor=district.user("town_a"), person=former, data={"name": "冒名者"})
    assert "只能由区总工会" in str(exc.value)
    new = former.memberships.get(status=Membership.Status.ACTIVE)
    r = client.patch(f"/api/v1/members/{new.pk}/", {"name": "冒名者"}, content_type="application/json")
    assert r.status_code == 400 and "只能由区总工会" in r.content.decode()
    former.refresh_from_db()
    assert former.name == "乙会员"
    # town B still sees its own past member, and only its own membership
    client.force_login(district.user("town_b"))
    page = client.get(f"/members/{former.pk}/").content.decode()
    assert old.member_no in page and new.member_no not in page


def test_district_permission_corrects_identity(district, former):
    """members.change over the district root (区总工会管理员, 组织部) may correct who a person is."""
    assert not services.person_identity_changeable(actor=district.user("town_a"), person=former)
    assert services.person_identity_changeable(actor=district.user("org_dept"), person=former)
    reg = services.member_register(
        actor=district.user("org_dept"),
        organisation=district.union_a,
        joined_on=date(2024, 3, 1),
        data={"name": "乙会员改", "id_number": former.id_number},
    )
    assert reg.person.pk == former.pk and not reg.created_person
    former.refresh_from_db()
    assert former.name == "乙会员改"


def test_officer_corrects_identity_of_their_own_new_member(district):
    """Someone only the officer's unions ever had is theirs to correct (a typo after registering)."""
    m = member(district.union_a, name="丙会员")
    services.person_update(actor=district.user("town_a"), person=m.person, data={"name": "丙会员二"})
    m.person.refresh_from_db()
    assert m.person.name == "丙会员二"
