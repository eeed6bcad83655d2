"""Hostile callers of the innovation items and the event photos: the neighbouring town's officer, a
worker, 30-digit ids, NaN, year 0, a program renamed .jpg, a 6 MB photo, a tenth photo. Each gets a
404 or a clear Chinese refusal, nothing changes, and nothing answers with a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from activities.innovation import InnovationItem
from activities.models import EventPhoto
from activities.tests.factories import competition, held
from activities.tests.innovation_helpers import CONTENT, IMMEDIATE, reward_programmes, submit
from members.tests.factories import member

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
API = "/api/v1/activities/innovation-items/"
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg(name: str, content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _fields(item: InnovationItem) -> tuple:
    item.refresh_from_db()
    return item.state, item.grade, item.opinion, item.amount, item.cycle_id


def test_a_member_outside_the_union_gets_the_same_words_as_an_unknown_number(client, district):
    """Naming a real person of the neighbouring town tells the caller nothing an unknown number would not."""
    outsider = member(district.union_b, name="孙外镇").person
    client.force_login(district.user("chair_a"))
    body = {"union": district.union_a.code, "kind": "suggestion", "title": "叉车通道", "content": CONTENT}
    known = client.post(
        API, {**body, "person_name": "孙外镇", "person_id_number": outsider.id_number}, content_type="application/json"
    )
    unknown = client.post(
        API,
        {**body, "person_name": "孙外镇", "person_id_number": "110113199001011237"},
        content_type="application/json",
    )
    assert known.status_code == unknown.status_code == 400
    assert known.json() == unknown.json()
    assert "孙外镇不是" in known.json()["person_name"][0] and "或姓名与身份证号不符" in known.json()["person_name"][0]
    words = f"孙外镇不是{district.union_a.name}（含下级）的在册会员，或姓名与身份证号不符"
    page = {**body, "union": district.union_a.pk, "applicant": "member", "person_name": "孙外镇"}
    for number in (outsider.id_number, "110113199001011237"):
        text = client.post("/activities/innovation/", {**page, "person_id_number": number}).content.decode()
        assert words in text
    assert not InnovationItem.objects.exists()


def test_neighbouring_town_and_worker_cannot_see_grade_or_submit(client, district):
    item = submit(district, person=member(district.union_a, name="郑工").person)
    before = _fields(item)
    grade = {"grade": "first", "opinion": "同意一等"}
    client.force_login(district.user("town_b"))
    assert client.get(f"{API}{item.pk}/").status_code == 404
    assert client.post(f"{API}{item.pk}/grade/", grade, content_type="application/json").status_code == 404
    assert client.post(f"/activities/innovation/{item.pk}/", grade).status_code == 404
    r = client.post(
        API,
        {"union": district.union_a.code, "kind": "suggestion", "title": "越界申报", "content": CONTENT},
        content_type="application/json",
    )
    assert r.status_code == 400 and "不在您的管理范围内" in r.json()["union"][0]
    r = client.get(f"{API}counts/", {"subtree": district.town_a.code})
    assert r.status_code == 400 and "不在您的管理范围内" in r.json()["subtree"][0]
    client.force_login(district.user("worker_a"))
    assert client.post(f"{API}{item.pk}/grade/", grade, content_type="application/json").status_code in (403, 404)
    assert client.post(f"/activities/innovation/{item.pk}/", grade).status_code in (403, 404)
    assert _fields(item) == before
    assert InnovationItem.objects.count() == 1


@pytest.mark.parametrize(
    "params",
    [{"year": "0"}, {"year": "NaN"}, {"year": HUGE}, {"year": "-2026"}, {"year": "2101"}, {"subtree": HUGE}],
    ids=lambda p: repr(p),
)
def test_counts_refuse_hostile_values_in_chinese(client, district, params):
    client.force_login(district.user("town_a"))
    r = client.get(f"{API}counts/", params)
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    (field,) = r.json()
    assert field in params and any("\u4e00" <= ch <= "\u9fff" for ch in r.json()[field][0])


def test_hostile_ids_and_grades_change_nothing(client, district):
    item = submit(district, person=member(district.union_a, name="郑工").person)
    before = _fields(item)
    client.force_login(district.user("town_a"))
    for pk in (HUGE, "-1", "0"):
        assert client.get(f"{API}{pk}/").status_code == 404
        assert client.post(f"{API}{pk}/grade/", {"grade": "first"}, content_type="application/json").status_code == 404
    assert client.get(f"/activities/innovation/{HUGE}/").status_code == 404
    with override_settings(TASKS=IMMEDIATE):
        reward_programmes(district)
        for bad in ({"grade": "NaN", "opinion": "同意"}, {"grade": "first", "opinion": ""}, {"grade": ["first"]}):
            r = client.post(f"{API}{item.pk}/grade/", bad, content_type="application/json")
            assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
            page = client.post(f"/activities/innovation/{item.pk}/", bad)
            assert page.status_code in (200, 302)
    assert _fields(item) == before
    client.force_login(district.user("chair_a"))
    for kind in ("NaN", HUGE, ""):
        r = client.post(
            API,
            {"union": district.union_a.code, "kind": kind, "title": "x" * 10, "content": CONTENT},
            content_type="application/json",
        )
        assert r.status_code == 400 and "kind" in r.json()
    assert InnovationItem.objects.count() == 1


def test_portal_refuses_hostile_kinds_and_text(client, district):
    person = member(district.union_a, name="钱小工").person
    person.user = district.user("worker_a")
    person.save(update_fields=["user"])
    client.force_login(person.user)
    for body, words in (
        ({"kind": "NaN", "title": "防滑扳手", "content": CONTENT}, "类别："),
        ({"kind": "invention", "title": "x" * 500, "content": CONTENT}, "项目名称："),
        ({"kind": "invention", "title": "防滑扳手", "content": "x" * 6000}, "“主要内容”不超过 5000 字"),
    ):
        r = client.post("/portal/innovation/", body)
        assert r.status_code == 200 and words in r.content.decode()
    assert not InnovationItem.objects.exists()


def _event(district):
    chair = district.user("chair_a")
    return held(competition(district, organisation=district.union_a, actor=chair, co_organisers=[]))


def test_photo_uploads_refused_on_the_page_change_nothing(client, district):
    event = _event(district)
    client.force_login(district.user("chair_a"))
    url = f"/activities/{event.pk}/photos/"
    cases = [
        ([_jpeg("安装包.jpg", EXE)], "内容不是 JPG 或 PNG"),
        ([_jpeg("大图.jpg", JPEG + b"\0" * (6 * 1024 * 1024))], "超过 5 MB"),
        ([_jpeg(f"{n}.jpg") for n in range(10)], "最多 9 张"),
    ]
    for files, message in cases:
        text = client.post(url, {"photos": files}, follow=True).content.decode()
        assert message in text
        assert not EventPhoto.objects.exists()
    assert (
        "已上传 9 张照片"
        in client.post(url, {"photos": [_jpeg(f"{n}.jpg") for n in range(9)]}, follow=True).content.decode()
    )
    text = client.post(url, {"photos": [_jpeg("第十张.jpg")]}, follow=True).content.decode()
    assert "最多 9 张照片（已有 9 张）" in text and event.photos.count() == 9


def test_photos_of_a_neighbour_or_for_a_worker_are_404(client, district):
    event = _event(district)
    client.force_login(district.user("chair_a"))
    client.post(f"/activities/{event.pk}/photos/", {"photos": [_jpeg("合影.jpg")]})
    shot = event.photos.get()
    for who in ("town_b", "worker_a"):
        client.force_login(district.user(who))
        assert client.get(f"/activities/{event.pk}/photos/{shot.pk}/").status_code in (403, 404)
        r = client.post(f"/activities/{event.pk}/photos/", {"photos": [_jpeg("越界.jpg")]})
        assert r.status_code in (403, 404)
    client.force_login(district.user("town_a"))
    assert client.get(f"/activities/{event.pk}/photos/{HUGE}/").status_code == 404
    assert client.get(f"/activities/{HUGE}/photos/{shot.pk}/").status_code == 404
    assert event.photos.count() == 1
