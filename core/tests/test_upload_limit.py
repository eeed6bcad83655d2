"""One limit on a request body (docs/operations.md, "Upload limits"): the largest request a form accepts
fits under it, and a declared body over it is refused in Chinese before it is read — by the
application too, for a server without nginx in front (core/tests/test_nginx.py tests nginx's refusal)."""

from __future__ import annotations

import pytest
from django.conf import settings

from activities.services import MAX_PHOTO_BYTES, MAX_PHOTOS
from activities.tests.factories import competition, held
from core.middleware import too_large_text
from members.forms import ImportUploadForm

pytestmark = pytest.mark.django_db
FRAMING = 1024 * 1024  # the form's other fields and the multipart boundaries, generously


def test_every_form_s_largest_request_fits_under_the_one_limit():
    limit = settings.GONGHUI_MAX_REQUEST_BYTES
    assert limit >= MAX_PHOTOS * MAX_PHOTO_BYTES + FRAMING  # nine 5 MB photos of one event report
    assert limit >= ImportUploadForm.MAX_BYTES + FRAMING  # the member roster
    assert limit >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= MAX_PHOTO_BYTES  # larger files stream to disk


def test_a_declared_body_over_the_limit_is_refused_in_chinese_and_reads_nothing(client, district):
    event = held(competition(district, organisation=district.union_a, actor=district.user("chair_a"), co_organisers=[]))
    client.force_login(district.user("chair_a"))
    over = str(settings.GONGHUI_MAX_REQUEST_BYTES + 1)
    url = f"/activities/{event.pk}/photos/"
    response = client.post(url, data=b"x" * 10, content_type="application/octet-stream", CONTENT_LENGTH=over)
    assert response.status_code == 413 and response["Content-Type"] == "text/html; charset=utf-8"
    assert too_large_text(settings.GONGHUI_MAX_REQUEST_BYTES) in response.content.decode()
    assert "上传内容超过 64 MB" in response.content.decode()
    assert not event.photos.exists()
    api = client.post("/api/v1/activities/events/", data=b"{}", content_type="application/json", CONTENT_LENGTH=over)
    assert api.status_code == 413 and api.json()["detail"].startswith("上传内容超过 64 MB")
    # exactly at the limit, or a nonsense length, is not this middleware's to refuse
    for length in (str(settings.GONGHUI_MAX_REQUEST_BYTES), "9" * 30, "abc"):
        answer = client.post(url, data=b"", content_type="application/octet-stream", CONTENT_LENGTH=length)
        assert answer.status_code != 413, length
