"""Rosters as offices keep them (issue 10, item 2): title rows, alias and unknown headers, 联系电话,
hidden and instruction sheets, mixed encodings, numbers Excel mangled, protected files, row numbers.
Every fixture is built here; every refusal is checked to change nothing."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from pathlib import Path

import pytest
import xlsxwriter

from members import fake
from members.importing import ImportFileError, commit_import, plan_import, read_table, write_error_report
from members.models import Membership, Person
from members.tests.xlsx_helpers import read_sheet

pytestmark = pytest.mark.django_db

ROSTER_HEAD = ["姓名", "公民身份号码", "所属工会编码", "入会时间", "手机", "联系电话"]


def roster(
    path: Path,
    rows: list[list],
    *,
    headers=ROSTER_HEAD,
    title: str | None = None,
    blank_above: int = 0,
    sheets_before: list[tuple[str, bool]] = (),
    merged_title: bool = True,
    blank_between: int = 0,
) -> Path:
    """A roster as an office writes it: optional sheets in front (name, hidden?), blank rows, a
    title row merged across the columns, the header, then the rows (with blank rows in between)."""
    wb = xlsxwriter.Workbook(str(path))
    for name, hidden in sheets_before:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["填写说明：请按下表填写", "姓名", "身份证号"])
        if hidden:
            ws.hide()
    ws = wb.add_worksheet("花名册")
    r = blank_above
    if title:
        if merged_title:
            ws.merge_range(r, 0, r, len(headers) - 1, title)
        else:
            ws.write_string(r, 0, title)
        r += 1
    ws.write_row(r, 0, headers)
    r += 1
    for values in rows:
        for c, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, int | float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, v)
        r += 1 + blank_between
    ws.activate()
    wb.close()
    return path


def snapshot() -> tuple[int, int]:
    return Person.objects.count(), Membership.objects.count()


def test_title_row_merged_and_blank_rows_above_header_with_alias_headers(tmp_path, district):
    ids = [fake.id_number(n) for n in (101, 102)]
    path = roster(
        tmp_path / "r.xlsx",
        [["张伟", ids[0], "T-A-1", "2024-05-01", "13812345678", ""], ["李娜", ids[1], "T-A-1", "2024-05-02", "", ""]],
        title="顺义区仁和镇沙坨村工会会员花名册",
        blank_above=2,
    )
    table = read_table(path)
    assert (table.sheet, table.header_row) == ("花名册", 4)
    assert [n for n, _ in table.rows] == [5, 6]
    plan = commit_import(table, actor=None)
    assert plan.counts["new"] == 2
    person = Person.objects.get(name="张伟")
    assert person.mobile == "13812345678"


def test_title_row_not_merged_also_found(tmp_path, district):
    path = roster(
        tmp_path / "r.xlsx",
        [["张伟", fake.id_number(103), "T-A-1", "2024-05-01", "", ""]],
        title="会员花名册",
        merged_title=False,
    )
    assert read_table(path).header_row == 2


@pytest.mark.parametrize("mobile_header", ["手机", "移动电话", "联系方式", "手机号码", "手机号"])
def test_mobile_header_spellings_import_the_phone(tmp_path, district, mobile_header):
    headers = ["姓名", "身份证号码", "所属工会编码", "入会日期", mobile_header]
    path = roster(
        tmp_path / "m.xlsx", [["张伟", fake.id_number(104), "T-A-1", "2024-05-01", "13812345678"]], headers=headers
    )
    commit_import(read_table(path), actor=None)
    person = Person.objects.get(name="张伟")
    assert person.mobile == "13812345678"


def test_landline_in_its_own_column_beside_the_mobile(tmp_path, district):
    path = roster(
        tmp_path / "p.xlsx", [["张伟", fake.id_number(105), "T-A-1", "2024-05-01", "13812345678", "010-69441234"]]
    )
    plan = commit_import(read_table(path), actor=None)
    assert plan.counts == {**plan.counts, "new": 1, "errors": 0}
    person = Person.objects.get(name="张伟")
    assert (person.mobile, person.phone) == ("13812345678", "010-69441234")


def test_roster_with_mobile_and_landline_shows_both_masked_on_the_detail_page(tmp_path, client, district):
    path = roster(
        tmp_path / "p.xlsx",
        [["张伟", fake.id_number(115), "T-A-1", "2024-05-01", "13812345678", "(010)6944 1234转801"]],
    )
    commit_import(read_table(path), actor=None)
    person = Person.objects.get(name="张伟")
    assert person.phone == "010-69441234-801"  # the canonical form the member form also stores
    client.force_login(district.user("town_a"))  # no view_pii
    page = client.get(f"/members/{person.pk}/").content.decode()
    assert "138****5678" in page and "010-****1234-801" in page
    assert "13812345678" not in page and "69441234" not in page


def test_bad_landline_is_refused_naming_the_column(tmp_path, district):
    path = roster(tmp_path / "p.xlsx", [["张伟", fake.id_number(106), "T-A-1", "2024-05-01", "", "12ab"]])
    plan = plan_import(read_table(path), actor=None)
    assert plan.messages()[0][0] == 2 and "【联系电话】联系电话格式不正确" in plan.messages()[0][1]


def test_unknown_header_is_listed_in_preview_and_report(tmp_path, district):
    headers = ["姓名", "身份证号", "所属工会编码", "入会日期", "电话号码（手）", "备注"]
    path = roster(
        tmp_path / "u.xlsx", [["张伟", fake.id_number(107), "T-A-1", "2024-05-01", "138", "x"]], headers=headers
    )
    table = read_table(path)
    assert table.unknown_headers == ["电话号码（手）", "备注"]
    plan = plan_import(table, actor=None)
    assert any("电话号码（手）" in w and "备注" in w and "未能识别" in w for w in plan.warnings)
    report = tmp_path / "report.xlsx"
    write_error_report(report, plan)
    assert any("未能识别" in str(cell) for r in read_sheet(report) for cell in r)


def test_two_columns_for_one_field_is_refused(tmp_path, district):
    headers = ["姓名", "身份证号", "所属工会编码", "入会日期", "手机", "移动电话"]
    path = roster(tmp_path / "d.xlsx", [["张伟", fake.id_number(108), "T-A-1", "2024-05-01", "", ""]], headers=headers)
    with pytest.raises(ImportFileError, match="是同一列"):
        read_table(path)


def test_hidden_first_sheet_and_instructions_sheet_are_passed_over(tmp_path, district):
    path = roster(
        tmp_path / "h.xlsx",
        [["张伟", fake.id_number(109), "T-A-1", "2024-05-01", "", ""]],
        sheets_before=[("旧名单", True), ("填写说明", False)],
    )
    table = read_table(path)
    assert table.sheet == "花名册"
    plan = plan_import(table, actor=None)
    assert any("花名册" in w for w in plan.warnings) and plan.counts["new"] == 1


def test_no_matching_sheet_names_the_sheets_read(tmp_path, district):
    path = roster(tmp_path / "n.xlsx", [["张伟"]], headers=["姓名", "电话"], sheets_before=[("填写说明", False)])
    before = snapshot()
    with pytest.raises(ImportFileError, match="“填写说明”、“花名册”") as exc:
        read_table(path)
    assert "缺少必填列" in str(exc.value)
    assert snapshot() == before


def test_csv_mixing_gbk_header_and_utf8_rows_is_refused(tmp_path, district):
    header = "姓名,身份证号,所属工会编码,入会日期\n".encode("gbk")
    body = f"张伟,{fake.id_number(110)},T-A-1,2024-05-01\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(header + body)
    before = snapshot()
    with pytest.raises(ImportFileError, match="混用了两种编码"):
        read_table(path)
    assert snapshot() == before and not Person.objects.filter(name__contains="寮").exists()


def test_gb18030_csv_reads(tmp_path, district):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        f"姓名,身份证号,所属工会编码,入会日期\n阿依古丽·买买提,{fake.id_number(111)},T-A-1,2024-05-01\n".encode(
            "gb18030"
        )
    )
    table = read_table(path)
    assert table.encoding == "GB18030"
    commit_import(table, actor=None)
    assert Person.objects.filter(name="阿依古丽·买买提").exists()


@pytest.mark.parametrize("bad_name", [0, "0", "张3", "=A1", "张", "·张伟"])
def test_names_are_validated_as_names(tmp_path, district, bad_name):
    path = roster(tmp_path / "n.xlsx", [[bad_name, fake.id_number(112), "T-A-1", "2024-05-01", "", ""]])
    before = snapshot()
    plan = plan_import(read_table(path), actor=None)
    assert plan.error_count == 1 and "【姓名】" in plan.messages()[0][1]
    with pytest.raises(Exception, match="未导入"):
        commit_import(read_table(path), actor=None)
    assert snapshot() == before


def test_id_that_excel_stored_as_a_number_in_a_csv(tmp_path, district):
    real = fake.id_number(113)
    path = tmp_path / "e.csv"
    path.write_text(
        "姓名,身份证号,所属工会编码,入会日期\n"
        f"张伟,1.10105E+17,T-A-1,2024-05-01\n"
        f'李娜,"=""{real}""",T-A-1,2024-05-01\n',
        encoding="utf-8",
    )
    numeric = roster(tmp_path / "n.xlsx", [["王芳", 110105199001011234.0, "T-A-1", "2024-05-01", "", ""]])
    plan = plan_import(read_table(path), actor=None)
    numeric_plan = plan_import(read_table(numeric), actor=None)
    texts = [m for _, m in plan.messages()] + [m for _, m in numeric_plan.messages()]
    assert len(texts) == 3 and all("被 Excel 存成了数字" in t for t in texts)


@pytest.mark.parametrize("value", [2017.09, "2017.09", "2017-09", "2017年9月", 2017])
def test_year_month_in_a_date_column_is_not_a_full_date(tmp_path, district, value):
    path = roster(tmp_path / "d.xlsx", [["张伟", fake.id_number(114), "T-A-1", value, "", ""]])
    plan = plan_import(read_table(path), actor=None)
    assert "不是完整日期" in plan.messages()[0][1]
    assert "1905" not in plan.messages()[0][1]


def _id_ending_000() -> list[str]:
    from core.validators import parse_id_number

    out, day = [], date(1970, 1, 1)
    while len(out) < 3:
        for order in range(0, 1000, 100):  # orders ending in 00
            first17 = f"110113{day:%Y%m%d}{order:03d}"
            number = first17 + fake.id_check_char(first17)
            if number.endswith("000"):
                parse_id_number(number)
                out.append(number)
        day += timedelta(days=1)
    return out[:3]


def test_several_ids_ending_in_000_warn_of_truncation(tmp_path, district):
    rows = [
        [n, i, "T-A-1", "2024-05-01", "", ""] for n, i in zip(["张伟", "李娜", "王芳"], _id_ending_000(), strict=True)
    ]
    plan = plan_import(read_table(roster(tmp_path / "z.xlsx", rows)), actor=None)
    assert plan.error_count == 0
    assert any("000 结尾" in w and "末三位" in w for w in plan.warnings)
    single = plan_import(read_table(roster(tmp_path / "one.xlsx", rows[:1])), actor=None)
    assert not any("000 结尾" in w for w in single.warnings)


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE2 compound file (CFB), not a
    zip, with the streams EncryptionInfo and EncryptedPackage (MS-OFFCRYPTO). Built by hand: a
    header, one FAT sector and one directory sector."""
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    assert len(header) == 512
    fat = struct.pack("<II", fatsect, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = free, right: int = free, size: int = 0) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        out = raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
        out += struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
        out += struct.pack("<IQ", end, size)
        assert len(out) == 128
        return out

    directory = entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2) + entry("EncryptedPackage", 2)
    directory += b"\0" * (512 - len(directory))
    path.write_bytes(header + fat + directory)
    return path


def test_password_protected_workbook_says_so(tmp_path, district):
    from python_calamine import CalamineWorkbook, PasswordError

    path = encrypted_xlsx(tmp_path / "locked.xlsx")
    with pytest.raises(PasswordError):  # what python-calamine raises for it
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    before = snapshot()
    with pytest.raises(ImportFileError, match="设置了打开密码") as exc:
        read_table(path)
    assert "不是有效的 Excel" not in str(exc.value)
    assert snapshot() == before


def test_error_report_keeps_excel_row_numbers_across_blank_rows(tmp_path, district):
    bad = fake.id_number(115)[:-1] + "Z"
    rows = [["张伟", fake.id_number(116), "T-A-1", "2024-05-01", "", ""], ["李娜", bad, "T-A-1", "2024-05-01", "", ""]]
    path = roster(tmp_path / "b.xlsx", rows, title="会员花名册", blank_between=2)
    table = read_table(path)
    assert [n for n, _ in table.rows] == [3, 6]
    plan = plan_import(table, actor=None)
    assert plan.messages()[0][0] == 6
    report = tmp_path / "report.xlsx"
    write_error_report(report, plan)
    sheet = read_sheet(report)
    assert sheet[1][0] == "姓名" and sheet[2][0] == "张伟" and sheet[5][0] == "李娜"
    assert sheet[5][-1].startswith("第6行：") and "【身份证号】" in sheet[5][-1]


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_preview_page_lists_unknown_headers_and_the_sheet_read(
    client, district, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.test import override_settings

    from members.models import ImportJob

    settings.MEDIA_ROOT = tmp_path
    headers = ["姓名", "身份证号码", "所属工会编码", "入会时间", "籍贯"]
    path = roster(
        tmp_path / "花名册.xlsx",
        [["张伟", fake.id_number(120), "T-A-1", "2024-05-01", "顺义"]],
        headers=headers,
        title="沙坨村工会会员花名册",
        sheets_before=[("旧表", True)],
    )
    client.force_login(district.user("chair_a"))
    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": path.open("rb")})
    job = ImportJob.objects.get()
    assert job.status == "preview" and job.counts["new"] == 1
    page = client.get(f"/members/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-warnings"' in page and "“籍贯”" in page and "花名册" in page
    assert not Person.objects.exists()
