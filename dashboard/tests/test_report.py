"""The work report (issue 15 item 2): the report's way of writing numbers (property-tested), sentences
built from the figures and linked, the officer's edited wording kept per draft with the figures still
live, the .docx / PDF / txt files and ``manage.py work_report``."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.figures import Period, board
from dashboard.models import ReportDraft
from dashboard.report import DEFAULT_TEMPLATE, about, about_wan, render, template_errors, yuan_text
from dashboard.tests.conftest import TODAY

YEAR = Period(date(TODAY.year, 1, 1), TODAY)


# --- the numbers, as the report writes them (pure) ---------------------------------------------------


def test_the_reports_own_figures():
    assert yuan_text(Decimal("309800")) == "30.98万元"
    assert yuan_text(Decimal("247200.00")) == "24.72万元"
    assert yuan_text(Decimal("149700")) == "14.97万元"
    assert yuan_text(Decimal("72630.00")) == "72630元"
    assert yuan_text(Decimal("1234.50")) == "1234.50元"
    assert yuan_text(Decimal("0")) == "0元"
    assert about(6234) == "6200余" and about(6200) == "6200" and about(51) == "51" and about(158) == "150余"
    assert about_wan(Decimal("150300")) == "15余万元" and about_wan(Decimal("150000")) == "15万元"


money = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(money)
def test_yuan_text_reads_back(amount):
    text = yuan_text(amount)
    if amount >= 100000:
        assert text.endswith("万元")
        assert abs(Decimal(text[:-2]) * 10000 - amount) <= 50  # two decimals of 万: within 50 yuan
    else:
        assert text.endswith("元") and "万" not in text
        assert Decimal(text[:-1]) == amount


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**9))
def test_about_rounds_down_to_two_digits(n):
    text = about(n)
    kept = int(text.removesuffix("余"))
    assert kept <= n
    assert text.endswith("余") == (kept != n)
    if n >= 100:
        step = 10 ** (len(str(n)) - 2)
        assert n - kept < step and kept % step == 0
    else:
        assert kept == n


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(money)
def test_about_wan_rounds_down(amount):
    text = about_wan(amount)
    wan = int(text.removesuffix("万元").removesuffix("余"))
    assert wan * 10000 <= amount < (wan + 1) * 10000
    assert ("余" in text) == (wan * 10000 != amount)


# --- sentences from figures --------------------------------------------------------------------------


def test_sentences_in_the_reports_groups_linked_to_their_rows(world):
    b = board(world.user("admin"), world.root, YEAR)
    report = render(DEFAULT_TEMPLATE, b)
    headings = [line.text for line in report.lines if line.heading]
    assert headings == ["一、组织建设", "二、服务中心工作", "三、队伍建设", "四、经费保障", "五、帮扶救助", "六、试点"]
    text = report.as_text()
    assert f"截至{TODAY.month}月{TODAY.day}日，已经为3家新建单位发放建会专项基金，共计7500元。" in text
    assert "基层工会举办技能大赛3场，共有120余名职工参加。" in text
    linked = {s.key: s.url for line in report.lines for s in line.segments if s.url}
    assert linked["grants.count"] == b.by_key["grants.count"].url
    assert report.omitted == []


def test_a_sentence_the_user_may_not_read_is_left_out(world):
    report = render(DEFAULT_TEMPLATE, board(world.user("econ"), world.root, YEAR))
    assert "建会专项基金" not in report.as_text()
    assert any("建会专项基金" in s for s in report.omitted)
    assert "四、经费保障" not in report.as_text()  # a heading with nothing under it goes too


def test_unknown_placeholders_are_refused_in_chinese():
    assert template_errors(DEFAULT_TEMPLATE) == []
    assert template_errors("共{grants.countt}家") == ["未知的数据项 {grants.countt}：请使用右侧列出的数据项"]
    assert template_errors("{root|wan}") == ["数据项 {root|wan} 不能加 |wan"]
    assert template_errors("{__class__}")


# --- the officer edits the wording; the figures stay live --------------------------------------------


def test_edit_keeps_the_wording_and_the_live_figures(world, client):
    client.force_login(world.user("admin"))
    url = reverse("dashboard:report")
    q = {"subtree": "T", "kind": "range", "start": YEAR.start.isoformat(), "end": YEAR.end.isoformat()}
    page = client.get(url, q)
    assert page.status_code == 200 and 'data-figure="grants.count"' in page.content.decode()
    wording = "四、经费保障\n今年我区为{grants.count}家新建工会送去建会专项基金{grants.yuan}。"
    done = client.post(f"{url}?{page.context['query']}", {"action": "save", "template": wording})
    assert done.status_code == 302
    draft = ReportDraft.objects.get()
    assert draft.template == wording and draft.organisation == world.root
    page = client.get(url, q)
    assert "今年我区为3家新建工会送去建会专项基金7500元。" in page.context["report"].as_text()
    txt = client.get(url, {**q, "format": "txt"})
    assert "今年我区为3家新建工会送去建会专项基金7500元。" in txt.content.decode()
    # a wrong placeholder: a message, nothing changed
    bad = client.post(f"{url}?{page.context['query']}", {"action": "save", "template": "共{nope}家"})
    assert bad.status_code == 200 and "未知的数据项 {nope}" in bad.content.decode()
    assert ReportDraft.objects.get().template == wording
    # back to the standard wording
    client.post(f"{url}?{page.context['query']}", {"action": "reset"})
    assert not ReportDraft.objects.exists()


def test_who_may_edit(world, client):
    url = reverse("dashboard:report")
    client.force_login(world.user("auditor"))  # reads, changes nothing
    page = client.get(url, {"subtree": "T"})
    assert page.status_code == 200 and not page.context["may_edit"]
    assert client.post(f"{url}?subtree=T", {"action": "save", "template": "x"}).status_code == 403
    client.force_login(world.user("town_b"))
    assert client.post(f"{url}?subtree=T-A", {"action": "save", "template": "x"}).status_code == 404
    assert not ReportDraft.objects.exists()
    assert client.get(url, {"subtree": "T-B", "format": "exe"}).status_code == 404


# --- the files ------------------------------------------------------------------------------------------


def test_docx_and_pdf(world, client):
    from docx import Document

    client.force_login(world.user("admin"))
    url = reverse("dashboard:report")
    docx = client.get(url, {"subtree": "T", "format": "docx"})
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "测试区总工会工作简报" in text and "已经为3家新建单位发放建会专项基金，共计7500元。" in text
    east_asia = (
        doc.paragraphs[0]
        .runs[0]
        ._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    )
    assert east_asia == "Noto Sans CJK SC"
    pdf = client.get(url, {"subtree": "T", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout
        assert "已经为3家新建单位发放建会专项基金" in out.decode().replace("\n", "")


def test_command(world, tmp_path, capsys):
    call_command("work_report", "--org", "T-A", "--from", YEAR.start.isoformat(), "--to", YEAR.end.isoformat())
    out = capsys.readouterr().out
    assert out.startswith("仁和镇总工会工作简报") and "已经为2家新建单位发放建会专项基金，共计6300元。" in out
    target = tmp_path / "r.docx"
    call_command("work_report", "--format", "docx", "-o", str(target))
    assert target.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("work_report", "--from", "2017-13-01")
    with pytest.raises(CommandError, match="不存在或不在"):
        call_command("work_report", "--org", "NOPE")
    with pytest.raises(CommandError, match="请用 -o"):
        call_command("work_report", "--format", "pdf")
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("work_report", "--user", "ghost")
