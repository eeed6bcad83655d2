from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members import fake
from members.importing import (
    ImportFileError,
    ImportRefused,
    commit_import,
    plan_import,
    read_table,
    write_error_report,
    write_template,
)
from members.models import Membership, Person
from members.tests.factories import member
from members.tests.xlsx_helpers import HEADERS, read_sheet, row, with_empty_trailing_rows, write_rows
from orgs.models import Organisation

pytestmark = pytest.mark.django_db


def ids(*ns: int) -> list[str]:
    return [fake.id_number(n) for n in ns]


def plan_of(tmp_path: Path, rows: list[list], actor=None, headers=None):
    path = write_rows(tmp_path / "in.xlsx", rows, headers)
    return plan_import(read_table(path), actor=actor)


def test_template_has_headers_instructions_dropdowns(tmp_path, district):
    path = tmp_path / "t.xlsx"
    write_template(path, unions=[district.union_a])
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names[0] == "会员名单" and "填写说明" in wb.sheet_names and "工会列表" in wb.sheet_names
    header = wb.get_sheet_by_name("会员名单").to_python()[0]
    assert header[:4] == ["姓名*", "身份证号*", "所属工会编码*", "入会日期*"]
    assert wb.get_sheet_by_name("工会列表").to_python()[1][:2] == ["T-A-1", "沙坨村工会联合会"]
    import zipfile

    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<dataValidation" in sheet_xml and "选项" in sheet_xml
    # the template itself imports as "no data rows", not as a crash
    with pytest.raises(ImportFileError, match="没有数据行"):
        plan_import(read_table(path), actor=None)


def test_template_command(tmp_path, district):
    call_command("import_members", template=str(tmp_path / "cmd.xlsx"))
    assert read_sheet(tmp_path / "cmd.xlsx")[0][0] == "姓名*"


def test_valid_file_imports_once_then_unchanged(tmp_path, district):
    a, b = ids(1, 2)
    rows = [
        row("张伟", a, "T-A-1", mobile="138 1234 5678", education="本科", is_migrant_worker="是"),
        row("李娜", b, "T-A-2", joined="2023/7/1", hukou_type="农村"),
    ]
    path = write_rows(tmp_path / "ok.xlsx", rows)
    plan = plan_import(read_table(path), actor=district.user("town_a"))
    assert plan.counts == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "transfer": 0, "errors": 0}
    assert not Person.objects.exists()  # the preview writes nothing
    commit_import(read_table(path), actor=district.user("town_a"))
    p = Person.objects.get(name="张伟")
    assert p.mobile == "13812345678" and p.education == "bachelor" and p.is_migrant_worker
    assert p.history.count() == 1 and p.history.first().history_user == district.user("town_a")
    m = Membership.objects.get(person__name="李娜")
    assert m.joined_on == date(2023, 7, 1) and m.member_no == "T-A-2-000001" and m.person.hukou_type == "rural"
    again = commit_import(read_table(path), actor=district.user("town_a"))
    assert again.counts["unchanged"] == 2 and again.counts["new"] == 0
    assert Person.objects.count() == 2 and Membership.objects.count() == 2


def test_update_and_rejoin(tmp_path, district):
    existing = member(district.union_a, employer="旧单位")
    left = member(district.union_b)
    from members.services import membership_leave

    membership_leave(actor=None, person=left.person, on=date(2024, 1, 1), reason="离职")
    rows = [
        row(existing.person.name, existing.person.id_number, "T-A-1", joined="2020-01-01", employer="新单位"),
        row(left.person.name, left.person.id_number, "T-A-1", joined="2024-06-01"),
    ]
    plan = commit_import(read_table(write_rows(tmp_path / "u.xlsx", rows)), actor=None)
    assert plan.counts["updated"] == 1 and plan.counts["new"] == 1
    assert Person.objects.get(pk=existing.person.pk).employer == "新单位"
    assert Membership.objects.filter(person=left.person).count() == 2
    assert Person.objects.get(pk=left.person.pk).organisation == district.union_a


def test_normalisation_full_width_spaces_lower_x(tmp_path, district):
    # find an ID ending in X to check lower-case x
    n = next(i for i in range(1000) if fake.id_number(i).endswith("X"))
    good = fake.id_number(n)
    messy = " " + good[:6] + " " + good[6:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x "
    plan = commit_import(
        read_table(write_rows(tmp_path / "n.xlsx", [row(" 王 芳 ", messy, " t-a-1 ", mobile="１３９-0000-1111")])),
        actor=None,
    )
    assert plan.counts["new"] == 1
    p = Person.objects.get()
    assert p.id_number == good and p.name == "王芳" and p.mobile == "13900001111"


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ({"name": ""}, "【姓名】不能为空"),
        ({"id_number": ""}, "【身份证号】身份证号码不能为空"),
        ({"id_number": "110113199001011230"}, "校验位错误"),
        ({"id_number": "110113199002300011"}, "出生日期无效"),
        ({"id_number": "11011319900101"}, "长度应为18位"),
        ({"org_code": ""}, "【所属工会编码】不能为空"),
        ({"org_code": "NOPE"}, "不存在或不在您的管理范围内"),
        ({"org_code": "T-A"}, "不是基层工会"),
        ({"joined_on": ""}, "【入会日期】不能为空"),
        ({"joined_on": "明天"}, "不是有效日期"),
        ({"joined_on": "2099-01-01"}, "晚于今天"),
        ({"joined_on": "1950-01-01"}, "早于出生日期"),
        ({"mobile": "12345678"}, "【手机号】"),
        ({"education": "博士后"}, "【学历】“博士后”不是可选值"),
        ({"is_migrant_worker": "也许"}, "【是否农民工】"),
    ],
)
def test_each_kind_of_bad_row(tmp_path, district, cells, fragment):
    good = row("张伟", fake.id_number(7), "T-A-1")
    values = dict(zip([h.rstrip("*") for h in HEADERS], good, strict=True))
    keymap = {"name": "姓名", "id_number": "身份证号", "org_code": "所属工会编码", "joined_on": "入会日期",
              "mobile": "手机号", "education": "学历", "is_migrant_worker": "是否农民工"}  # fmt: skip
    for k, v in cells.items():
        values[keymap[k]] = v
    bad = list(values.values())
    plan = plan_of(tmp_path, [row("李娜", fake.id_number(8), "T-A-1"), bad])
    assert plan.counts["errors"] == 1 and plan.counts["new"] == 1
    (row_no, message), *_ = plan.messages()
    assert row_no == 3 and fragment in message, message
    with pytest.raises(ImportRefused):
        commit_import(
            read_table(write_rows(tmp_path / "again.xlsx", [row("李娜", fake.id_number(8), "T-A-1"), bad])), actor=None
        )
    assert not Person.objects.exists()  # all or nothing


def test_id_stored_as_number_is_explained(tmp_path, district):
    rows = [row("张伟", "", "T-A-1")]
    rows[0][1] = 110113199001011234.0
    plan = plan_of(tmp_path, rows)
    assert "存成了数字" in plan.messages()[0][1]


def test_duplicates_in_file_and_registry(tmp_path, district):
    a, b = ids(11, 12)
    existing = member(district.union_b)
    rows = [
        row("甲", a, "T-A-1", member_no="N1"),
        row("乙", a, "T-A-1"),  # same ID as row 2
        row("丙", b, "T-A-1", member_no="N1"),  # same member number as row 2
        row(existing.person.name, existing.person.id_number, "T-A-1"),  # active elsewhere
        row("丁一", fake.id_number(13), "T-A-1", member_no=existing.member_no),  # number taken in registry
    ]
    plan = plan_of(tmp_path, rows, actor=district.user("admin"))
    msgs = dict((r, m) for r, m in plan.messages())
    assert "与第2行重复" in msgs[3] and "会员编号" in msgs[4] and "与第2行重复" in msgs[4]
    assert "已被其他会员使用" in msgs[6]
    notices = plan.messages("notices")
    assert notices[0][0] == 5 and "转会" in notices[0][1] and "西泗上村联合会" in notices[0][1]
    assert plan.counts["transfer"] == 1


def test_transfer_candidate_outside_scope_is_not_named(tmp_path, district):
    existing = member(district.union_b)
    plan = plan_of(
        tmp_path, [row(existing.person.name, existing.person.id_number, "T-A-1")], actor=district.user("chair_a")
    )
    assert "其他工会" in plan.messages("notices")[0][1] and "西泗上村" not in plan.messages("notices")[0][1]
    commit_import(
        read_table(write_rows(tmp_path / "c.xlsx", [row(existing.person.name, existing.person.id_number, "T-A-1")])),
        actor=district.user("chair_a"),
    )
    assert Membership.objects.get().organisation == district.union_b  # reported, never moved


def test_union_outside_scope_is_refused(tmp_path, district):
    plan = plan_of(tmp_path, [row("张伟", fake.id_number(21), "T-B-1")], actor=district.user("chair_a"))
    assert "不在您的管理范围内" in plan.messages()[0][1]


def test_zero_rows_wrong_headers_not_excel(tmp_path, district):
    with pytest.raises(ImportFileError, match="没有数据行"):
        plan_of(tmp_path, [])
    with pytest.raises(ImportFileError, match="缺少必填列 身份证号、所属工会编码、入会日期"):
        plan_of(tmp_path, [["张伟", "x"]], headers=["姓名", "电话"])
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_text("这不是 Excel 文件\n姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="不是有效的 Excel"):
        read_table(fake_xlsx)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match="文件是空的"):
        read_table(empty)
    with pytest.raises(ImportFileError, match="只支持"):
        read_table(tmp_path / "x.pdf")


def test_csv_in_utf8_and_gbk(tmp_path, district):
    for enc, n in (("utf-8-sig", 31), ("gbk", 32)):
        text = ",".join(h.rstrip("*") for h in HEADERS[:4]) + f"\n赵六,{fake.id_number(n)},T-A-1,2024-01-02\n"
        path = tmp_path / f"m-{enc}.csv"
        path.write_bytes(text.encode(enc))
        commit_import(read_table(path), actor=None)
    assert Person.objects.filter(name="赵六").count() == 2


def test_million_empty_trailing_rows_are_not_rows(tmp_path, district):
    # A sheet whose used range runs a million rows past the data (formatting dragged down): one row
    # is read and imported, no error names an empty row. Its speed is a benchmark's business, not a test's.
    path = with_empty_trailing_rows(tmp_path / "big.xlsx", [row("张伟", fake.id_number(41), "T-A-1")], 1_000_000)
    plan = commit_import(read_table(path), actor=None)
    assert plan.counts["rows"] == 1 and plan.counts["new"] == 1
    assert not plan.errors


def test_error_report_keeps_rows_and_reimports_after_fix(tmp_path, district):
    good, bad = ids(51, 52)
    rows = [row("张伟", good, "T-A-1"), row("李娜", bad[:-1] + ("0" if bad[-1] != "0" else "1"), "T-A-1")]
    plan = plan_of(tmp_path, rows)
    report = tmp_path / "report.xlsx"
    write_error_report(report, plan)
    sheet = read_sheet(report)
    assert sheet[0][-1] == "错误说明" and sheet[1][0] == "张伟" and sheet[1][-1] == ""
    assert "校验位错误" in sheet[2][-1]
    # fix the report itself and upload it again: the error column is ignored
    fixed = [list(r) for r in sheet]
    fixed[2][1] = bad
    path = write_rows(tmp_path / "fixed.xlsx", fixed[1:], headers=fixed[0])
    assert commit_import(read_table(path), actor=None).counts["new"] == 2


def test_command_exit_codes(tmp_path, district, capsys):
    bad = write_rows(tmp_path / "bad.xlsx", [row("张伟", "123", "T-A-1")])
    with pytest.raises(CommandError, match="错误报告"):
        call_command("import_members", str(bad))
    assert (tmp_path / "bad-错误报告.xlsx").exists() and not Person.objects.exists()
    good = write_rows(tmp_path / "good.xlsx", [row("张伟", fake.id_number(61), "T-A-1")])
    call_command("import_members", str(good), "--dry-run")
    assert not Person.objects.exists()
    call_command("import_members", str(good))
    assert Person.objects.count() == 1
    assert Organisation.objects.filter(code="T-A-1").exists()
