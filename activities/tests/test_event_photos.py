"""Photos of a reported event: JPEG/PNG only (by content, not only the name), 5 MB and nine a event,
Chinese refusals that change nothing; thumbnails on the event page for the union above reviewing it;
downloads scoped like the event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import services
from activities.models import EventPhoto
from activities.tests.factories import competition, held
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name: str = "现场.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _held_event(district):
    event = competition(district, organisation=district.union_a, actor=district.user("chair_a"), co_organisers=[])
    return held(event)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo("海报.gif", b"GIF89a" + b"\0" * 10), "只能上传 JPG 或 PNG"),
        (photo("病毒.jpg", b"MZ\x90\0" + b"\0" * 10), "内容不是 JPG 或 PNG"),
        (photo("空.png", b""), "空文件"),
        (photo("大.jpg", JPEG + b"\0" * (5 * 1024 * 1024)), "超过 5 MB"),
    ],
)
def test_wrong_files_are_refused_in_chinese(district, upload, message):
    event = _held_event(district)
    with pytest.raises(ValidationError, match=message):
        services.photos_add(actor=district.user("chair_a"), activity=event, files=[photo(), upload])
    assert not EventPhoto.objects.exists()  # the good one beside it is not kept either


def test_limits_state_and_report_with_photos(district):
    chair = district.user("chair_a")
    ahead = competition(district, organisation=district.union_a, actor=chair, co_organisers=[])
    with pytest.raises(ValidationError, match="尚未开展"):
        services.photos_add(actor=chair, activity=ahead, files=[photo()])
    event = held(ahead)
    assert services.photos_add(actor=chair, activity=event, files=[photo(f"{n}.jpg") for n in range(8)]) == 8
    with pytest.raises(ValidationError, match="最多 9 张照片（已有 8 张）"):
        services.photos_add(actor=chair, activity=event, files=[photo("a.jpg"), photo("b.png", PNG)])
    with pytest.raises(PermissionDenied):
        services.photos_add(actor=district.user("town_b"), activity=event, files=[photo()])
    services.event_report(actor=chair, activity=event, participants=12, photos=[photo("合影.png", PNG)])
    event.refresh_from_db()
    assert event.state == "reported" and event.photos.count() == 9
    assert event.photos.last().content_type == "image/png"
    with pytest.raises(ValidationError, match="不能再上传照片"):
        services.photos_add(actor=chair, activity=event, files=[photo()])


def test_reviewer_sees_thumbnails_and_downloads_are_scoped(client, district):
    chair = district.user("chair_a")
    event = _held_event(district)
    client.force_login(chair)
    bad = client.post(
        f"/activities/{event.pk}/report/", {"participants": 30, "photos": [photo("x.gif", b"GIF89a")]}, follow=True
    )
    assert "只能上传 JPG 或 PNG" in bad.content.decode()
    event.refresh_from_db()
    assert event.state == "planned" and not event.photos.exists()
    client.post(f"/activities/{event.pk}/report/", {"participants": 30, "photos": [photo("合影.jpg")]})
    event.refresh_from_db()
    assert event.state == "reported"
    shot = event.photos.get()
    client.force_login(district.user("town_a"))  # the union above, reviewing
    page = client.get(f"/activities/{event.pk}/").content.decode()
    url = f"/activities/{event.pk}/photos/{shot.pk}/"
    assert 'data-testid="event-photos"' in page and f'src="{url}"' in page and 'data-testid="review-form"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert "attachment" in client.get(url + "?download=1")["Content-Disposition"]
    client.force_login(district.user("town_b"))
    assert client.get(url).status_code == 404
    assert client.get(f"/activities/{event.pk}/photos/999999999999999999999999/").status_code == 404


def _stored(shot) -> bool:
    return shot.file.storage.exists(shot.file.name)


def test_a_wrong_photo_is_removed_by_who_may_edit_the_report_and_audited(
    client, district, django_capture_on_commit_callbacks
):
    chair = district.user("chair_a")
    event = _held_event(district)
    services.photos_add(actor=chair, activity=event, files=[photo("错的.jpg"), photo("对的.png", PNG)])
    wrong, kept = event.photos.order_by("pk")
    assert _stored(wrong)
    client.force_login(chair)
    page = client.get(f"/activities/{event.pk}/").content.decode()
    remove = f"/activities/{event.pk}/photos/{wrong.pk}/remove/"
    assert f'action="{remove}"' in page and "确定删除照片“错的.jpg”？删除后不能恢复。" in page  # asked first
    assert client.get(remove).status_code == 405  # a link cannot remove anything
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the file goes when the removal commits
        done = client.post(remove, follow=True).content.decode()
    assert "已删除照片“错的.jpg”" in done and len(callbacks) == 1
    assert list(event.photos.all()) == [kept] and not _stored(wrong) and _stored(kept)
    entry = AuditEvent.objects.get(kind=AuditEvent.Kind.FILE_REMOVED)
    assert (entry.user, entry.object_id, entry.detail["name"]) == (chair, str(event.pk), "错的.jpg")
    assert "错的.jpg" in entry.summary
    # the union above (activities.manage over its subtree) may correct the report too
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(actor=district.user("town_a"), activity=event, photo_id=kept.pk)
    assert not event.photos.exists() and not _stored(kept)


def test_photo_removal_refused_to_neighbour_worker_and_after_review(
    client, district, django_capture_on_commit_callbacks
):
    chair = district.user("chair_a")
    event = _held_event(district)
    services.photos_add(actor=chair, activity=event, files=[photo("合影.jpg")])
    shot = event.photos.get()
    remove = f"/activities/{event.pk}/photos/{shot.pk}/remove/"
    client.force_login(district.user("town_b"))  # a neighbouring town: the event is out of its scope
    assert client.post(remove).status_code == 404
    with pytest.raises(PermissionDenied):
        services.photo_remove(actor=district.user("town_b"), activity=event, photo_id=shot.pk)
    client.force_login(district.user("worker_a"))  # a worker: not the back office
    assert client.post(remove).status_code in (302, 403, 404)
    with pytest.raises(PermissionDenied):
        services.photo_remove(actor=district.user("worker_a"), activity=event, photo_id=shot.pk)
    client.force_login(chair)
    for hostile in ("9" * 30, "abc", "", str(shot.pk + 1000)):
        with pytest.raises(ValidationError, match="未找到该照片"):
            services.photo_remove(actor=chair, activity=event, photo_id=hostile)
    assert client.post(f"/activities/{event.pk}/photos/{'9' * 30}/remove/", follow=True).status_code == 200
    assert event.photos.count() == 1 and _stored(shot)
    services.event_report(actor=chair, activity=event, participants=12)  # waits for review: no more changes
    with pytest.raises(ValidationError, match="待审核，不能再删除照片"):
        services.photo_remove(actor=chair, activity=event, photo_id=shot.pk)
    services.event_review(actor=district.user("town_a"), activity=event, approve=True)
    event.refresh_from_db()
    assert event.state == "reviewed"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(remove, follow=True).content.decode()
    assert "活动审核通过，不能再删除照片" in page and not callbacks
    assert 'data-testid="photo-remove-' not in page  # nor offered
    assert event.photos.count() == 1 and _stored(shot) and not AuditEvent.objects.filter(kind="file_removed").exists()
