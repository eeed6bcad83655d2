"""Personal data never leaves masked without the permission: edit forms, reveal, export audit."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from core.crypto import mask_address, mask_id_number, mask_landline, mask_phone
from core.models import AuditEvent
from members import fake
from members.models import Person
from members.tests.factories import member

pytestmark = pytest.mark.django_db

ADDRESS = "北京市顺义区仁和镇沙坨村东街18号院3单元"


@pytest.fixture
def a(district):
    return member(district.union_a, name="甲会员", address=ADDRESS)


def _form_post(person: Person, **changes) -> dict:
    """What the edit form sends back when its masked inputs are left as shown."""
    data = {
        "name": person.name,
        "id_number": mask_id_number(person.id_number),
        "mobile": mask_phone(person.mobile),
        "phone": mask_landline(person.phone),
        "address": mask_address(person.address),
        "ethnicity": person.ethnicity,
    }
    data.update(changes)
    return data


def test_edit_form_without_view_pii_is_masked_and_keeps_stored_values(client, district, a):
    person = a.person
    full_id, full_mobile = person.id_number, person.mobile
    client.force_login(district.user("town_a"))  # may change, may not see in full
    page = client.get(f"/members/{person.pk}/edit/").content.decode()
    assert full_id not in page and full_mobile not in page and ADDRESS not in page
    assert mask_id_number(full_id) in page and mask_phone(full_mobile) in page and mask_address(ADDRESS) in page
    assert "显示完整信息后编辑" not in page  # no full view offered without the permission
    # saved unchanged (masked values sent back): the stored values stay
    r = client.post(f"/members/{person.pk}/edit/", _form_post(person, employer="顺鑫物流"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.mobile, person.address, person.employer) == (
        full_id,
        full_mobile,
        ADDRESS,
        "顺鑫物流",
    )
    # a value typed anew replaces the stored one (and its blind index follows)
    r = client.post(f"/members/{person.pk}/edit/", _form_post(person, mobile="13912345678", address="顺义区新址9号"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13912345678" and person.address == "顺义区新址9号" and person.id_number == full_id
    # a half-edited masked value is refused, naming the field; nothing changes
    bad = client.post(f"/members/{person.pk}/edit/", _form_post(person, id_number="110113****0000123X"))
    assert bad.status_code == 200 and "身份证号仍含脱敏" in bad.content.decode()
    person.refresh_from_db()
    assert person.id_number == full_id
    # the full view is refused without the permission, and nothing is audited
    assert client.get(f"/members/{person.pk}/edit/?full=1").status_code == 403
    assert client.post(f"/members/{person.pk}/edit/?full=1", _form_post(person)).status_code == 403
    assert not AuditEvent.objects.filter(kind="pii_view").exists()


def test_full_view_in_edit_form_needs_permission_and_is_audited(client, district, a):
    person = a.person
    client.force_login(district.user("org_dept"))  # change + view_pii over the district
    masked = client.get(f"/members/{person.pk}/edit/").content.decode()
    assert person.id_number not in masked and "显示完整信息后编辑" in masked
    assert not AuditEvent.objects.filter(kind="pii_view").exists()
    r = client.get(f"/members/{person.pk}/edit/?full=1")
    page = r.content.decode()
    assert person.id_number in page and person.mobile in page and ADDRESS in page
    assert r["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(kind="pii_view")
    assert event.username == "org_dept" and event.object_id == str(person.pk)
    assert event.detail["via"] == "edit_form" and set(event.detail["fields"]) == {
        "id_number",
        "mobile",
        "phone",
        "address",
    }
    # the full form saved unchanged keeps everything; a new ID number re-derives sex and birth date
    data = {"name": person.name, "id_number": person.id_number, "mobile": person.mobile, "address": ADDRESS}
    data["ethnicity"] = "回族"
    assert client.post(f"/members/{person.pk}/edit/?full=1", data).status_code == 302
    new_id = fake.id_number(4242)
    assert client.post(f"/members/{person.pk}/edit/?full=1", {**data, "id_number": new_id}).status_code == 302
    person.refresh_from_db()
    assert person.id_number == new_id and person.ethnicity == "回族" and person.address == ADDRESS


def test_reveal_never_travels_in_the_messages_cookie(client, district, a):
    person = a.person
    client.force_login(district.user("rights"))
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        r = client.post(f"/members/{person.pk}/reveal/", {"field": "id_number"}, **htmx)
        assert r.status_code == 200 and person.id_number in r.content.decode()
        assert r["Cache-Control"] == "no-store"
        cookies = " ".join(unquote(c.value) for c in r.cookies.values()) + " ".join(
            unquote(c.value) for c in client.cookies.values()
        )
        assert person.id_number not in cookies and mask_id_number(person.id_number)[:6] not in cookies
    # nothing waits to be shown on the next page either
    assert person.id_number not in client.get(f"/members/{person.pk}/").content.decode()
    assert AuditEvent.objects.filter(kind="pii_view").count() == 2


def test_export_audit_has_no_raw_id_or_phone_from_the_search(client, district, a):
    person = a.person
    client.force_login(district.user("admin"))
    spaced_phone = f"{person.mobile[:3]} {person.mobile[3:7]} {person.mobile[7:]}"
    for q in (person.id_number, person.id_number.lower(), spaced_phone, "＋86 " + person.mobile):
        response = client.get("/members/", {"q": q, "status": "active", "export": "xlsx"})
        assert response.status_code == 200
        b"".join(response.streaming_content)
    events = list(AuditEvent.objects.filter(kind="export").order_by("pk"))
    assert len(events) == 4
    for event in events:
        stored = unquote(event.detail["query"].replace("+", " ")) + event.summary
        assert person.id_number not in stored.upper() and person.mobile not in stored.replace(" ", "")
        assert "status=active" in event.detail["query"]
    assert mask_id_number(person.id_number) in unquote(events[0].detail["query"])


# --- 联系电话 (landline) ------------------------------------------------------------------------

LANDLINE = "010-81234567-801"


def test_landline_masked_in_the_form_kept_unchanged_replaced_when_typed(client, district):
    person = member(district.union_a, name="甲会员", address=ADDRESS, phone=LANDLINE).person
    client.force_login(district.user("town_a"))  # may change, may not see in full
    page = client.get(f"/members/{person.pk}/edit/").content.decode()
    assert "81234567" not in page and "010-****4567-801" in page
    detail = client.get(f"/members/{person.pk}/").content.decode()
    assert "81234567" not in detail and "010-****4567-801" in detail
    r = client.post(f"/members/{person.pk}/edit/", _form_post(person, employer="顺鑫物流"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.employer) == (LANDLINE, "顺鑫物流")
    # a half-edited masked value is refused, naming the field
    bad = client.post(f"/members/{person.pk}/edit/", _form_post(person, phone="010-****9999"))
    assert bad.status_code == 200 and "联系电话仍含脱敏" in bad.content.decode()
    # a value typed in any accepted spelling replaces it, normalised
    r = client.post(f"/members/{person.pk}/edit/", _form_post(person, phone="(0571)8765 4321转12"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0571-87654321-12"
    # a bad one is refused with the Chinese message; nothing changes
    bad = client.post(f"/members/{person.pk}/edit/", _form_post(person, phone="12ab"))
    assert bad.status_code == 200 and "联系电话格式不正确" in bad.content.decode()
    person.refresh_from_db()
    assert person.phone == "0571-87654321-12"


def test_landline_reveal_needs_the_permission_and_is_audited(client, district):
    person = member(district.union_a, name="甲会员", phone=LANDLINE).person
    client.force_login(district.user("town_a"))  # no view_pii
    assert client.post(f"/members/{person.pk}/reveal/", {"field": "phone"}).status_code == 403
    assert not AuditEvent.objects.filter(kind="pii_view").exists()
    client.force_login(district.user("rights"))
    page = client.get(f"/members/{person.pk}/").content.decode()
    assert LANDLINE not in page and 'data-testid="reveal-phone"' in page  # masked, with a reveal button
    r = client.post(f"/members/{person.pk}/reveal/", {"field": "phone"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and LANDLINE in r.content.decode() and r["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(kind="pii_view")
    assert event.username == "rights" and event.detail["field"] == "phone" and "联系电话" in event.summary
    assert LANDLINE not in str(event.detail) + event.summary


def test_landline_in_the_api_masked_and_writable(client, district):
    client.force_login(district.user("town_a"))
    good = fake.id_number(611)
    base = {"organisation": "T-A-1", "joined_on": "2024-01-01", "name": "张伟", "id_number": good}
    r = client.post("/api/v1/members/", {**base, "phone": "12ab"}, content_type="application/json")
    assert r.status_code == 400 and "联系电话格式不正确" in r.json()["phone"][0]
    assert not Person.objects.exists()
    r = client.post("/api/v1/members/", {**base, "phone": "010 6944 1234"}, content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["person"]["phone_masked"] == "010-****1234" and "69441234" not in r.content.decode()
    person = Person.objects.get()
    assert person.phone == "010-69441234"
    pk = body["id"]
    # the masked value sent back keeps the stored one; a new one replaces it
    r = client.patch(
        f"/api/v1/members/{pk}/", {"phone": "010-****1234", "post": "司机"}, content_type="application/json"
    )
    assert r.status_code == 200
    person.refresh_from_db()
    assert person.phone == "010-69441234" and person.post == "司机"
    r = client.patch(f"/api/v1/members/{pk}/", {"phone": "0755-88886666转801"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["person"]["phone_masked"] == "0755-****6666-801"
    person.refresh_from_db()
    assert person.phone == "0755-88886666-801"
    listing = client.get("/api/v1/members/").content.decode()
    assert "88886666" not in listing and "0755-****6666-801" in listing


def test_landline_in_the_export_is_masked(client, district):
    from members.tests.xlsx_helpers import read_sheet

    member(district.union_a, name="甲会员", phone=LANDLINE)
    client.force_login(district.user("town_a"))
    r = client.get("/members/?export=xlsx")
    assert r.status_code == 200
    body = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = read_sheet(body)
    col = rows[0].index("联系电话")
    assert rows[1][col] == "010-****4567-801"
