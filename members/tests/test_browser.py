"""A grassroots chair imports members through the browser: template, a file with two bad rows,
the preview with its errors, the error report, the fixed file, and the member masked in the list."""

from __future__ import annotations

import pytest

from members import fake
from members.tests.xlsx_helpers import read_sheet, row, write_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_chair_imports_members(page, live_server, browser_district, ui_login, settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    ui_login(page, "chair_a")
    page.goto(f"{live_server.url}/members/import/")

    with page.expect_download() as dl:
        page.click("[data-testid=template-link]")
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    assert read_sheet(template)[0][:4] == ["姓名*", "身份证号*", "所属工会编码*", "入会日期*"]

    good_id, bad_id = fake.id_number(3001), fake.id_number(3002)
    wrong_check = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    rows = [
        row("张伟", good_id, "T-A-1", mobile="13812345678"),
        row("李娜", wrong_check, "T-A-1"),
        row("王芳", fake.id_number(3003), "T-B-1"),  # a union outside the chair's scope
    ]
    upload = write_rows(tmp_path / "会员名单.xlsx", rows)
    page.set_input_files("input[name=file]", str(upload))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=import-status][data-status=invalid]")
    assert page.inner_text("[data-testid=count-errors]") == "2"
    errors = page.inner_text("[data-testid=import-errors]")
    assert "第 3 行" in errors and "校验位错误" in errors
    assert "第 4 行" in errors and "不在您的管理范围内" in errors

    with page.expect_download() as dl:
        page.click("[data-testid=report-link]")
    report = tmp_path / "report.xlsx"
    dl.value.save_as(report)
    sheet = read_sheet(report)
    assert sheet[0][-1] == "错误说明" and "校验位" in sheet[2][-1] and sheet[1][-1] == ""

    # fix the two rows in the report itself and upload it again
    fixed = [list(r) for r in sheet]
    fixed[2][1] = bad_id
    fixed[3][2] = "T-A-1"
    again = write_rows(tmp_path / "会员名单-改正.xlsx", fixed[1:], headers=fixed[0])
    page.goto(f"{live_server.url}/members/import/")
    page.set_input_files("input[name=file]", str(again))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=import-status][data-status=preview]")
    assert page.inner_text("[data-testid=count-new]") == "3"
    page.click("[data-testid=confirm-import]")
    page.wait_for_selector("[data-testid=import-status][data-status=done]")

    page.click("[data-testid=to-list]")
    table = page.inner_text("[data-testid=member-table]")
    assert "张伟" in table and good_id[:6] + "********" + good_id[-4:] in table
    assert good_id not in table and "138****5678" in table and "13812345678" not in table


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def test_member_list_on_a_phone_is_a_card_list(browser, live_server, browser_district, ui_login):
    """At 390 px each row is a card of "label: value" lines, the page does not scroll sideways, and
    the row links and page links are tap-sized (≥ 44 px)."""
    from members.tests.factories import member

    for i in range(25):
        member(browser_district.union_a, name=f"手机会员{i:02d}")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    ui_login(page, "chair_a")
    page.goto(f"{live_server.url}/members/")
    page.wait_for_selector("[data-testid=member-table]")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert page.locator("[data-testid=member-table] thead").is_hidden()
    first = page.locator("[data-testid=member-table] tbody tr").first
    assert first.evaluate("el => getComputedStyle(el).display") == "block"
    cell = first.locator("td[data-label=姓名]")
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"姓名"' and "手机会员" in cell.inner_text()
    for box in (cell.locator("a").bounding_box(), page.locator("[data-testid=pagination] a").first.bounding_box()):
        assert box["height"] >= 44, box
    context.close()
