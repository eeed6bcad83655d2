"""The shared reader for tabular files (core.tabular), on its own."""

from __future__ import annotations

import pytest
import xlsxwriter

from core.tabular import TabularColumn, TabularError, decode_csv, is_encrypted_office_file, read_tabular

COLUMNS = (
    TabularColumn("name", "姓名", True, ("会员姓名",)),
    TabularColumn("id_number", "身份证号", True, ("公民身份号码",)),
    TabularColumn("mobile", "手机号", False, ("手机",)),
)


def test_decode_csv_accepts_utf8_bom_and_gb18030_and_refuses_a_mix():
    assert decode_csv("姓名\n张伟\n".encode()) == ("姓名\n张伟\n", "UTF-8")
    assert decode_csv("\ufeff姓名\n".encode()) == ("姓名\n", "UTF-8-BOM")
    assert decode_csv("姓名\n张伟\n".encode("gb18030")) == ("姓名\n张伟\n", "GB18030")
    with pytest.raises(TabularError, match="第1行是 GBK/GB18030，第2行是 UTF-8"):
        decode_csv("姓名\n".encode("gbk") + "张伟\n".encode())
    with pytest.raises(TabularError, match="标明为 UTF-8"):
        decode_csv(b"\xef\xbb\xbf" + "姓名\n".encode("gbk"))


def test_header_row_found_below_a_title_and_row_numbers_kept(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    hidden = wb.add_worksheet("隐藏")
    hidden.write_row(0, 0, ["姓名", "身份证号"])
    hidden.write_row(1, 0, ["错误的表", "x"])
    hidden.hide()
    ws = wb.add_worksheet("名单")
    ws.merge_range(1, 0, 1, 3, "某某工会会员花名册")
    ws.write_row(3, 0, ["会员姓名", "公民身份号码", "手机", "籍贯"])
    ws.write_row(4, 0, ["张伟", "1"])
    ws.write_row(7, 0, ["李娜", "2"])
    ws.activate()
    wb.close()
    table = read_tabular(path, columns=COLUMNS)
    assert (table.sheet, table.header_row, table.keys) == ("名单", 4, ["name", "id_number", "mobile", None])
    assert table.unknown_headers == ["籍贯"]
    assert [(n, r[0]) for n, r in table.rows] == [(5, "张伟"), (8, "李娜")]


def test_csv_header_search_and_message_when_missing(tmp_path):
    table = read_tabular("标题\n\n姓名,身份证号\n张伟,1\n".encode(), filename="a.csv", columns=COLUMNS)
    assert table.header_row == 3 and table.rows == [(4, ["张伟", "1"])]
    with pytest.raises(TabularError, match=r"缺少必填列 身份证号.*第1行：姓名、电话"):
        read_tabular("姓名,电话\n张伟,1\n".encode(), filename="a.csv", columns=COLUMNS)


def test_encrypted_container_detected_by_signature_and_stream_names():
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
    assert is_encrypted_office_file(cfb)
    assert not is_encrypted_office_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"))
    assert not is_encrypted_office_file(b"PK\x03\x04" + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(TabularError, match="设置了打开密码"):
        read_tabular(cfb, filename="x.xlsx", columns=COLUMNS)
