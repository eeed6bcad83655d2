"""In the browser (issue 15): the district leader opens the dashboard, picks 仁和镇 in the tree, clicks a
chart segment and lands on its rows; then downloads the work report as .docx and PDF, and the PDF's
pages are rendered to PNG (pdftoppm) with the Chinese font embedded. Screenshots at 1440 and 390 px."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.tests.conftest import build_world

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WIDE = {"viewport": {"width": 1440, "height": 1000}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def leader_world(browser_district, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return build_world(browser_district)


def _bar_point(page, chart: str, label: str) -> tuple[float, float]:
    """Where the bar of ``label`` is drawn on the page (its middle), from the chart's own geometry."""
    page.get_by_test_id(f"chart-{chart}").scroll_into_view_if_needed()
    box = page.get_by_test_id(f"chart-{chart}").bounding_box()
    x, y = page.evaluate(
        """([key, label]) => {
            const c = window.ghCharts[key];
            const o = c.getOption();
            const i = o.xAxis[0].data.indexOf(label);
            const v = o.series[0].data[i];
            const top = c.convertToPixel({seriesIndex: 0}, [i, v]);
            const bottom = c.convertToPixel({seriesIndex: 0}, [i, 0]);
            return [top[0], (top[1] + bottom[1]) / 2];
        }""",
        [chart, label],
    )
    return box["x"] + x, box["y"] + y


def test_leader_picks_a_town_drills_into_a_chart_and_downloads_the_report(
    leader_world, new_context, ui_login, live_server, tmp_path
):
    SHOTS.mkdir(exist_ok=True)
    page = new_context(**WIDE).new_page()
    ui_login(page, "admin")
    page.goto(f"{live_server.url}/leader/")
    expect(page.locator(".page-title")).to_contain_text("领导驾驶舱 · 测试区总工会")
    page.get_by_test_id("side-node-T-A").click()
    expect(page.locator(".page-title")).to_contain_text("领导驾驶舱 · 仁和镇总工会")
    expect(page.get_by_test_id("figure-grants.count")).to_have_text("2")
    page.wait_for_function("() => window.ghCharts && window.ghCharts.compare")
    page.screenshot(path=str(SHOTS / "dashboard-leader-1440.png"), full_page=True)

    # the bar of 新建工会N-2 (30 members) opens the member list of exactly that union
    x, y = _bar_point(page, "compare", "新建工会N-2")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/members/\?subtree=N-2$"))
    expect(page.get_by_text("共 30 条")).to_be_visible()
    page.go_back()

    # the work report, downloaded as Word and PDF
    page.get_by_test_id("open-report").click()
    expect(page.get_by_test_id("report")).to_contain_text("已经为2家新建单位发放建会专项基金，共计6300元。")
    page.screenshot(path=str(SHOTS / "dashboard-report-1440.png"), full_page=True)
    with page.expect_download() as dl:
        page.get_by_test_id("download-docx").click()
    docx_path = tmp_path / "report.docx"
    dl.value.save_as(docx_path)
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx_path.read_bytes())).paragraphs)
    assert "仁和镇总工会工作简报" in text and "共计6300元" in text
    with page.expect_download() as dl:
        page.get_by_test_id("download-pdf").click()
    pdf_path = tmp_path / "report.pdf"
    dl.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install Debian's poppler-utils (.ci/run does)")
    fonts = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    # the Chinese font is embedded, and every font is (no empty boxes where a font was missing)
    assert any("Noto-Sans-CJK" in r for r in rows) and all(" yes yes yes " in r for r in rows), fonts
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf_path), str(SHOTS / "dashboard-report-pdf")], check=True)
    pages = sorted(SHOTS.glob("dashboard-report-pdf*.png"))
    assert pages
    from PIL import Image

    ink = Image.open(pages[0]).convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink is not None  # the page has text on it

    # a town leader's phone: the same page at 390 px, the tree folded behind a button
    phone = new_context(**PHONE).new_page()
    ui_login(phone, "town_a")
    phone.goto(f"{live_server.url}/leader/")
    expect(phone.locator(".page-title")).to_contain_text("仁和镇总工会")
    phone.wait_for_function("() => window.ghCharts && window.ghCharts.compare")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    phone.screenshot(path=str(SHOTS / "dashboard-leader-390.png"), full_page=True)
