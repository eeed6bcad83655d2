"""Payee accounts imported from a file (issue 17, docs/bank.md “导入收款账户”): a preview with per-row
Chinese errors, nothing written until confirmed, the importer never the verifier, attackers refused."""

from __future__ import annotations

import io
import re

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance.tests.allowance_helpers import person
from assistance.tests.factories import hardship_file
from core.models import AuditEvent
from funds import bank
from funds.models import PayeeAccount
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db
URL = "/funds/bank/accounts/import/"
HEADERS = ["组织编码", "身份证号", "档案编号", "户名", "账号", "开户行", "联行号", "生效日期"]


def xlsx(rows: list[list[str]], title: bool = True) -> SimpleUploadedFile:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    r = 0
    if title:
        ws.write_string(0, 0, "收款账户清单")
        r = 2
    for c, h in enumerate(HEADERS):
        ws.write_string(r, c, h)
    for i, row in enumerate(rows, start=r + 1):
        for c, value in enumerate(row):
            ws.write_string(i, c, value)
    wb.close()
    return SimpleUploadedFile("账户.xlsx", out.getvalue())


def good_rows(district, file) -> list[list[str]]:
    return [
        [
            district.union_a.code,
            "",
            "",
            "沙坨村工会联合会",
            "6222 0202 0011 2233 445",
            "工行顺义支行",
            "102100000072",
            "2026-01-01",
        ],
        [
            "",
            "",
            file.file_no,
            file.person.name,
            "６２２２０２０２００１１２２３３５５６",
            "农行",
            "103100000026",
            "2026/2/1",
        ],
    ]


def preview(client, upload) -> str:
    r = client.post(URL, {"file": upload})
    assert r.status_code == 200
    return r.content.decode()


def test_a_good_file_previewed_then_confirmed_and_verified_by_another(client, district):
    file = hardship_file(person(district))
    finance = district.user("finance")
    client.force_login(finance)
    assert 'data-testid="account-import-link"' in client.get("/funds/bank/accounts/").content.decode()
    html = preview(client, xlsx(good_rows(district, file)))
    assert "全部无误" in html and 'data-testid="account-import-confirm"' in html
    assert "6222 **** **** 3445" in html and "6222020200112233445" not in html  # masked in the preview
    assert not PayeeAccount.objects.exists()  # nothing written before the confirmation
    digest = re.search(r'name="confirm" value="(\w+)"', html).group(1)
    r = client.post(URL, {"confirm": digest})
    assert r.status_code == 302
    accounts = {a.owner_key: a for a in PayeeAccount.objects.all()}
    org_acc, person_acc = accounts[f"org:{district.union_a.pk}"], accounts[f"person:{file.person.pk}"]
    assert org_acc.number == "6222020200112233445" and person_acc.number == "6222020200112233556"
    assert person_acc.file == file and str(person_acc.valid_from) == "2026-02-01"
    assert {a.source for a in accounts.values()} == {PayeeAccount.Source.IMPORTED}
    assert {a.status for a in accounts.values()} == {PayeeAccount.Status.PENDING}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, summary__contains="导入收款账户 2 个").exists()
    # confirming twice does nothing more
    assert client.post(URL, {"confirm": digest}).status_code == 302 and PayeeAccount.objects.count() == 2
    # the importer never verifies; the district admin does
    with pytest.raises(Exception, match="核验人不能是录入人"):
        bank.payee_account_verify(actor=finance, account=org_acc)
    bank.payee_account_verify(actor=district.user("admin"), account=org_acc)
    org_acc.refresh_from_db()
    assert org_acc.status == PayeeAccount.Status.VERIFIED


def test_each_kind_of_bad_row_named_and_nothing_written(client, district):
    file = hardship_file(person(district))
    client.force_login(district.user("finance"))
    a = district.union_a.code
    rows = [
        ["X-404", "", "", "某工会", "6222020200112233445", "工行", "102100000072", "2026-01-01"],  # unknown union
        [district.town_a.code, "", "", "仁和镇", "6222020200112233445", "工行", "102100000072", "2026-01-01"],
        [district.union_b.code, "", "", "西泗上", "6222-02", "工行", "1021", "2026-13-01"],  # bad number, code, date
        [a, "", "", "沙坨", "6222020200112233445", "工行", "102100000072", "2026-01-01"],  # duplicate
        [a, "", "", "沙坨", "6222020200112233999", "工行", "102100000072", "2026-01-01"],  # duplicate
        ["", "110101190001011234", "", "无档案", "6222020200112233445", "工行", "102100000072", "2026-01-01"],
        ["", "", file.file_no, "", "6222020200112233445", "", "102100000072", "NaN"],
        ["", "", "", "谁", "6222020200112233445", "工行", "102100000072", "2026-01-01"],
    ]
    html = preview(client, xlsx(rows))
    for text in (
        "组织编码 X-404 不存在",
        "仁和镇总工会 不是在册的基层工会",
        "账号应为 8 至 30 位数字",
        "联行号应为 12 位数字",
        "生效日期无效",
        "沙坨村工会联合会 在文件中出现 2 次（重复行）",
        "该身份证号没有困难职工档案",
        "缺少户名",
        "缺少开户行",
        "缺少组织编码、身份证号或档案编号",
    ):
        assert text in html, text
    assert 'data-testid="account-import-confirm"' not in html and "8 行有误" in html
    assert not PayeeAccount.objects.exists()
    # a forged confirmation of a file never previewed clean writes nothing
    r = client.post(URL, {"confirm": "0" * 64}, follow=True)
    assert "待确认的文件已失效" in r.content.decode() and not PayeeAccount.objects.exists()


def test_an_officer_scoped_to_one_town_is_refused_the_neighbouring_towns_unions(client, district):
    from conftest import make_user

    officer = make_user("finance_town_a")
    role_grant(actor=None, user=officer, role=Role.FINANCE, organisation=district.town_a)
    client.force_login(officer)
    rows = [
        [district.union_b.code, "", "", "西泗上村联合会", "6222020200112233445", "工行", "102100000072", "2026-01-01"]
    ]
    html = preview(client, xlsx(rows))
    assert "西泗上村联合会 不在您的管辖范围内" in html and 'data-testid="account-import-confirm"' not in html
    assert not PayeeAccount.objects.exists()


@pytest.mark.parametrize("who", ["town_b", "worker_a", "chair_a", "auditor"])
def test_no_finance_power_no_import_page(client, district, who):
    client.force_login(district.user(who))
    rows = [
        [district.union_b.code, "", "", "西泗上村联合会", "6222020200112233445", "工行", "102100000072", "2026-01-01"]
    ]
    assert client.get(URL).status_code in (403, 404)
    assert client.post(URL, {"file": xlsx(rows)}).status_code in (403, 404)
    assert not PayeeAccount.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("账户.pdf", b"%PDF-1.4 not a table", "只支持 Excel"),
        ("账户.xlsx", b"PK\x03\x04 broken", "不是有效的 Excel 文件"),
        ("账户.csv", "户名,账号\n甲,1\n".encode(), "缺少必填列 开户行、联行号、生效日期"),
    ],
)
def test_a_wrong_file_is_refused_in_chinese(client, district, name, content, message):
    client.force_login(district.user("finance"))
    html = preview(client, SimpleUploadedFile(name, content))
    assert message in html
    assert 'data-testid="account-import-preview"' not in html and not PayeeAccount.objects.exists()
