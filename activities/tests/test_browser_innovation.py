"""Innovation in the browser: a worker submits a 小革新 on a phone, the town officer (the union above)
grades it 二等 on the item's page, finance pays the cycle, and the town's counts show it rewarded.
Event photos: the organiser uploads them (a renamed program refused), removes a wrong one after the
confirmation, reports, and the town reviewing sees the thumbnails (and no removal)."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from activities.innovation import InnovationItem
from activities.tests.browser_helpers import DESKTOP, PHONE, session, shot
from activities.tests.factories import competition, held
from activities.tests.innovation_helpers import CONTENT, IMMEDIATE, pay, reward_programmes, submit
from members.tests.factories import member

pytestmark = pytest.mark.browser


@override_settings(TASKS=IMMEDIATE)
def test_worker_submits_on_a_phone_and_the_town_grades(browser, live_server, browser_district, ui_login):
    d = browser_district
    reward_programmes(d)
    worker = member(d.union_a, name="张伟").person
    worker.user = d.user("worker_a")
    worker.save()
    submit(d, person=member(d.union_a, name="李师傅").person, title="分拣台可调高度小设计", kind="design")

    phone = session(browser, ui_login, "worker_a", PHONE)
    phone.goto(f"{live_server.url}/portal/innovation/")
    phone.select_option("select[name=kind]", value="improvement")
    phone.fill("input[name=title]", "冷库门帘感应闭合")
    phone.fill("textarea[name=content]", CONTENT)
    phone.fill("input[name=benefit]", "每月节电约 300 度")
    phone.get_by_test_id("submit-innovation").click()
    expect(phone.get_by_test_id("my-innovation")).to_contain_text("冷库门帘感应闭合")
    expect(phone.get_by_test_id("my-innovation")).to_contain_text("待评审")
    shot(phone, "innovation-portal-390")
    item = InnovationItem.objects.get(title="冷库门帘感应闭合")

    town = session(browser, ui_login, "town_a", DESKTOP)
    town.goto(f"{live_server.url}/activities/innovation/{item.pk}/")
    town.select_option("select[name=grade]", value="second")
    town.fill("textarea[name=opinion]", "节能效果明显，同意二等")
    town.click("[data-testid=grade-form] button[type=submit]")
    expect(town.get_by_test_id("item-grade")).to_contain_text("500.00 元")
    shot(town, "innovation-detail-1440")
    pay(d, InnovationItem.objects.get(pk=item.pk))
    town.goto(f"{live_server.url}/activities/innovation/?subtree={d.town_a.code}")
    counts = town.get_by_test_id("innovation-counts")
    expect(counts).to_contain_text("2 项")
    expect(counts).to_contain_text("500.00 元")
    shot(town, "innovation-list-1440")
    town.get_by_test_id("innovation-counts").get_by_text("1 项").first.click()
    expect(town.get_by_test_id("innovation-table")).to_contain_text("冷库门帘感应闭合")
    expect(town.get_by_test_id("innovation-table")).not_to_contain_text("分拣台可调高度小设计")
    narrow = session(browser, ui_login, "town_a", PHONE)
    narrow.goto(f"{live_server.url}/activities/innovation/")
    shot(narrow, "innovation-list-390")
    narrow.goto(f"{live_server.url}/activities/innovation/{item.pk}/")
    shot(narrow, "innovation-detail-390")
    wide = session(browser, ui_login, "worker_a", DESKTOP)
    wide.goto(f"{live_server.url}/portal/innovation/")
    shot(wide, "innovation-portal-1440")


def _png(rgb: tuple[int, int, int], size: int = 120) -> bytes:
    """A real PNG of one colour (the browser draws it as a thumbnail)."""
    raw = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _loaded(page) -> None:
    """Waits for the lazily loaded thumbnails (loaded now, not when scrolled to)."""
    page.evaluate("() => document.querySelectorAll('[data-testid=event-photos] img').forEach(i => i.loading = 'eager')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=event-photos] img')].every(i => i.complete && i.naturalWidth)"
    )


def test_organiser_attaches_photos_and_the_town_sees_them_reviewing(
    browser, live_server, browser_district, ui_login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    d = browser_district
    chair = d.user("chair_a")
    event = held(competition(d, organisation=d.union_a, actor=chair, co_organisers=[], title="沙坨村健步走"))
    url = f"{live_server.url}/activities/{event.pk}/"
    organiser = session(browser, ui_login, "chair_a", DESKTOP)
    organiser.goto(url)
    form = organiser.get_by_test_id("photos-form")
    form.locator("input[type=file]").set_input_files(
        [{"name": "安装包.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\0" + b"\0" * 64}]
    )
    form.locator("button[type=submit]").click()
    expect(organiser.locator("body")).to_contain_text("内容不是 JPG 或 PNG")
    assert not event.photos.exists()
    files = [
        {"name": f"现场{n}.png", "mimeType": "image/png", "buffer": _png(c)}
        for n, c in enumerate([(200, 30, 40), (30, 120, 200), (40, 160, 90)], start=1)
    ]
    organiser.get_by_test_id("photos-form").locator("input[type=file]").set_input_files(files)
    organiser.get_by_test_id("photos-form").locator("button[type=submit]").click()
    expect(organiser.locator("body")).to_contain_text("已上传 3 张照片")
    expect(organiser.get_by_test_id("event-photos").locator("img")).to_have_count(3)
    # a wrong photo is removed before reporting (the confirmation is accepted by the session)
    wrong = event.photos.get(name="现场2.png")
    asked: list[str] = []
    organiser.once("dialog", lambda dialog: asked.append(dialog.message))
    organiser.get_by_test_id(f"photo-remove-{wrong.pk}").click()
    expect(organiser.locator("body")).to_contain_text("已删除照片“现场2.png”")
    assert asked == ["确定删除照片“现场2.png”？删除后不能恢复。"]
    expect(organiser.get_by_test_id("event-photos").locator("img")).to_have_count(2)
    assert not wrong.file.storage.exists(wrong.file.name)
    _loaded(organiser)
    shot(organiser, "event-photo-removed-1440")
    chair_phone = session(browser, ui_login, "chair_a", PHONE)
    chair_phone.goto(url)
    _loaded(chair_phone)
    shot(chair_phone, "event-photo-remove-390")
    chair_phone.context.close()
    organiser.get_by_test_id("report-form").locator("input[type=number]").fill("35")
    organiser.get_by_test_id("report-form").locator("button[type=submit]").click()
    expect(organiser.locator("body")).to_contain_text("活动已报送")
    town = session(browser, ui_login, "town_a", DESKTOP)
    town.goto(url)
    expect(town.get_by_test_id("review-form")).to_be_visible()
    thumbs = town.get_by_test_id("event-photos").locator("img")
    expect(thumbs).to_have_count(2)
    expect(town.locator("[data-testid^=photo-remove-]")).to_have_count(0)  # reported: no removal offered
    _loaded(town)  # the thumbnails are the photos themselves, 120 px wide as uploaded
    widths = town.evaluate(
        "() => [...document.querySelectorAll('[data-testid=event-photos] img')].map(i => i.naturalWidth)"
    )
    assert widths == [120, 120]
    shot(town, "event-photos-1440")
    phone = session(browser, ui_login, "town_a", PHONE)
    phone.goto(url)
    expect(phone.get_by_test_id("event-photos").locator("img")).to_have_count(2)
    _loaded(phone)
    shot(phone, "event-photos-390")
