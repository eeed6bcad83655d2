from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from activities.models import Activity
from assessment.models import AssesseeKind
from assessment.testing import publish_scores
from conftest import make_user
from core.validators import credit_code_check_char
from funds import services
from funds.models import Cycle, Entitlement, Payment
from funds.testing import add_members, fund_programme
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import organisation_create, role_grant
from programmes.models import DuesRecord, GrantUsage
from programmes.services import dues_error_workbook, dues_import, grant_usage_record

pytestmark = pytest.mark.django_db
D = Decimal
K = Organisation.Kind
TIERS = [{"min_members": 1, "rate": "150.00"}, {"min_members": 51, "rate": "120.00"}]
WINDOW = {"window_start": "2026-01-01", "window_end": "2026-06-30", "count_days_after_founding": 30}


@pytest.fixture
def approver(district):
    user = make_user("finance2")
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


def code(n: int) -> str:
    body = f"91110113MA{n:07d}"
    return body + credit_code_check_char(body)


def union(
    district,
    code_,
    name,
    kind=K.ENTERPRISE,
    founded=date(2026, 3, 1),
    economic=Organisation.EconomicType.NON_PUBLIC,
    credit="",
):
    fields = {"founded_on": founded, "credit_code": credit}
    if kind == K.ENTERPRISE:
        fields["economic_type"] = economic
        fields["employer_name"] = name
    return organisation_create(actor=None, parent=district.town_a, code=code_, name=name, kind=kind, **fields)


def run(district, programme, key, approver=None):
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key=key)
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    if approver:
        services.cycle_review(actor=district.user("finance"), cycle=cycle)
        cycle = services.cycle_approve(actor=approver, cycle=cycle)
    return cycle


# --- start-up grant -------------------------------------------------------------------------


def startup(district, **params):
    return fund_programme(
        district=district.root,
        plugin_key="startup_grant",
        fund_code="3101",
        code="JHQD",
        params={**WINDOW, "tiers": TIERS, **params},
        period_type="once",
    )


def test_startup_grant_eligibility_and_amounts(district, approver):
    inside = union(district, "N-1", "新建非公企业工会", founded=date(2026, 1, 1))
    last_day = union(district, "N-2", "窗口末日村联合会", kind=K.VILLAGE_JOINT, founded=date(2026, 6, 30))
    day_before = union(district, "N-3", "早一天成立的工会", founded=date(2025, 12, 31))
    day_after = union(district, "N-4", "晚一天成立的工会", founded=date(2026, 7, 1))
    state_owned = union(district, "N-5", "国有企业工会", economic=Organisation.EconomicType.STATE)
    for org in (inside, day_before, day_after, state_owned):
        add_members(org, 42, joined_on=org.founded_on)
    add_members(last_day, 50, joined_on=date(2026, 7, 20))  # within 30 days after founding
    add_members(last_day, 1, joined_on=date(2026, 7, 31))  # day 31: not counted (tier boundary stays at 50)
    add_members(inside, 3, joined_on=date(2026, 1, 1), ended_on=date(2026, 1, 15))  # left before the count date
    programme = startup(district)
    cycle = run(district, programme, "2026", approver)
    got = dict(Entitlement.objects.filter(cycle=cycle).values_list("beneficiary_org__code", "amount"))
    # 42 × 150 = 6,300; 50 × 150 = 7,500 (51st member joined on day 31)
    assert got == {"N-1": D("6300.00"), "N-2": D("7500.00")}
    e = Entitlement.objects.get(cycle=cycle, beneficiary_org=inside)
    assert "会员 42 人（截至 2026-01-31）× 150.00 元 = 6,300.00 元" in e.explanation
    assert cycle.state == Cycle.State.PAID and Payment.objects.count() == 2


def test_startup_grant_not_twice(district, approver):
    org = union(district, "N-1", "新建非公企业工会")
    add_members(org, 10, joined_on=org.founded_on)
    programme = startup(district)
    run(district, programme, "2026", approver)
    cycle = run(district, programme, "2026-07")  # a later round of the same programme
    assert cycle.beneficiaries == 0


def test_grant_usage_and_unspent(district, approver):
    from programmes.selectors import unspent_grants

    org = union(district, "N-1", "新建非公企业工会")
    add_members(org, 10, joined_on=org.founded_on)
    run(district, startup(district), "2026", approver)
    payment = Payment.objects.get()
    chair = make_user("chair_n1")
    role_grant(actor=None, user=chair, role=Role.GRASSROOTS_CHAIR, organisation=org)
    grant_usage_record(
        actor=chair, payment=payment, spent_on=timezone.localdate(), amount="600", purpose="购置活动室桌椅"
    )
    with pytest.raises(ValidationError, match="超过拨付金额"):
        grant_usage_record(actor=chair, payment=payment, spent_on=timezone.localdate(), amount="1000", purpose="x")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        grant_usage_record(
            actor=district.user("chair_a"), payment=payment, spent_on=timezone.localdate(), amount="1", purpose="x"
        )
    rows = list(unspent_grants(district.user("finance")))
    assert [(r.beneficiary_org.code, r.spent, r.unspent) for r in rows] == [("N-1", D("600.00"), D("900.00"))]
    assert GrantUsage.objects.count() == 1


# --- dues rebate ----------------------------------------------------------------------------


def xlsx(rows):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


HEAD = ["统一社会信用代码", "单位名称", "年度", "工资总额", "已缴工会经费"]


def test_dues_import_matches_and_reports_unmatched(district):
    firm = district.firm_a
    content = xlsx(
        [
            HEAD,
            [firm.credit_code, "北京顺鑫物流有限公司", 2026, 6000000, 120000.5],
            [code(7), "未建会公司", 2026, 100000, 2000],
        ]
    )
    result = dues_import(actor=district.user("finance"), district=district.root, filename="2026.xlsx", content=content)
    assert result.ok and result.rows == 2 and result.matched == 1
    assert [u["credit_code"] for u in result.unmatched] == [code(7)]
    rec = DuesRecord.objects.get(credit_code=firm.credit_code)
    assert (rec.organisation, rec.dues_paid, rec.year) == (firm, D("120000.50"), 2026)


def test_dues_import_is_all_or_nothing_with_row_errors(district):
    content = xlsx(
        [
            HEAD,
            [district.firm_a.credit_code, "顺鑫", 2026, 100, 10],
            ["91110113MA0000001X", "错码公司", 2026, 100, 10],
            [code(8), "", "二〇二六", -1, "abc"],
        ]
    )
    result = dues_import(actor=district.user("finance"), district=district.root, filename="bad.xlsx", content=content)
    assert not result.ok
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行“统一社会信用代码”") for m in messages)
    assert any(m.startswith("第 4 行“单位名称”：不能为空") for m in messages)
    assert any(m.startswith("第 4 行“年度”") for m in messages)
    assert any(m.startswith("第 4 行“工资总额”：不能为负数") for m in messages)
    assert any(m.startswith("第 4 行“已缴工会经费”") for m in messages)
    assert DuesRecord.objects.count() == 0
    report = CalamineWorkbook.from_filelike(io.BytesIO(dues_error_workbook(result))).get_sheet_by_index(0).to_python()
    assert report[0][-1] == "错误说明" and report[1][-1] == "" and "统一社会信用代码" in report[2][-1]


def test_dues_import_missing_column_and_csv(district):
    result = dues_import(
        actor=district.user("finance"),
        district=district.root,
        filename="x.csv",
        content="单位名称,年度\n顺鑫,2026\n".encode(),
    )
    assert not result.ok and "缺少必填列 统一社会信用代码" in str(result.errors[0])
    csv = (
        f'统一社会信用代码,单位名称,年度,工资总额,已缴工会经费\n{district.firm_a.credit_code},顺鑫,2026,"1,000.00",20\n'
    )
    assert dues_import(
        actor=district.user("finance"), district=district.root, filename="x.csv", content=csv.encode()
    ).ok


def _dues(district, rows, year):
    content = xlsx([HEAD, *rows])
    result = dues_import(
        actor=district.user("finance"), district=district.root, filename=f"{year}.xlsx", content=content
    )
    assert result.ok, [str(e) for e in result.errors]


def test_dues_rebate_cycle(district, approver):
    grower = district.firm_a
    newcomer = union(district, "E-2", "新缴费公司工会", credit=code(2), founded=date(2010, 1, 1))
    faller = union(district, "E-3", "经费下降公司工会", credit=code(3), founded=date(2010, 1, 1))
    _dues(district, [[grower.credit_code, "顺鑫", 2025, 0, 100000], [faller.credit_code, "降", 2025, 0, 50000]], 2025)
    _dues(
        district,
        [
            [grower.credit_code, "顺鑫", 2026, 0, 120000],
            [newcomer.credit_code, "新", 2026, 0, 12345.67],
            [faller.credit_code, "降", 2026, 0, 40000],
        ],
        2026,
    )
    programme = fund_programme(
        district=district.root,
        plugin_key="dues_rebate",
        fund_code="3102",
        code="FH",
        params={"retention_ratio": "0.40"},
    )
    cycle = run(district, programme, "2026", approver)
    got = dict(Entitlement.objects.filter(cycle=cycle).values_list("beneficiary_org__code", "amount"))
    # grower: (48,000 − 40,000) × 50% = 4,000; newcomer: 12,345.67 × 40% × 100% = 4,938.27; faller: 0
    assert got == {"T-A-2": D("4000.00"), "E-2": D("4938.27"), "E-3": D("0.00")}
    assert Payment.objects.count() == 2  # nothing is paid to the union whose dues fell
    e = Entitlement.objects.get(cycle=cycle, beneficiary_org=newcomer)
    assert "首次缴纳" in e.explanation


def test_dues_rebate_conditional_on_assessment(district, approver):
    other = union(district, "E-2", "未通过考评公司工会", credit=code(2), founded=date(2010, 1, 1))
    _dues(
        district, [[district.firm_a.credit_code, "顺鑫", 2026, 0, 1000], [other.credit_code, "x", 2026, 0, 1000]], 2026
    )
    publish_scores(
        organisation=district.root,
        year=2026,
        kind=AssesseeKind.GRASSROOTS,
        scores={district.firm_a.pk: D("85"), other.pk: D("50")},  # pass mark 60
        computer=district.user("admin"),
        checker=district.user("org_dept"),
    )
    programme = fund_programme(
        district=district.root,
        plugin_key="dues_rebate",
        fund_code="3102",
        code="FH",
        params={"retention_ratio": "0.40", "require_assessment_pass": True},
    )
    cycle = run(district, programme, "2026")
    got = dict(Entitlement.objects.filter(cycle=cycle).values_list("beneficiary_org__code", "amount"))
    assert got == {"T-A-2": D("400.00"), "E-2": D("0.00")}
    assert "考核不合格" in Entitlement.objects.get(cycle=cycle, beneficiary_org=other).explanation


# --- joint union ----------------------------------------------------------------------------


def test_joint_union_pilot_cycle(district, approver):
    ua, ub = district.union_a, district.union_b
    add_members(ua, 42, joined_on=date(2025, 1, 1))
    add_members(ua, 5, joined_on=date(2026, 10, 1))  # after the quarter: not counted
    now = timezone.make_aware(datetime(2026, 9, 30, 12))
    reviewed = Activity.State.REVIEWED
    for day in (1, 2, 3, 4, 5):
        Activity.objects.create(
            organisation=ua, title="健步走", held_on=date(2026, 8, day), reported_at=now, state=reviewed
        )
    Activity.objects.create(organisation=ua, title="未报送", held_on=date(2026, 8, 9))
    # reported by the union itself but not yet reviewed by the town above: not counted
    Activity.objects.create(
        organisation=ua, title="未审核", held_on=date(2026, 8, 10), reported_at=now, state=Activity.State.REPORTED
    )
    Activity.objects.create(organisation=ua, title="上季度", held_on=date(2026, 6, 30), reported_at=now, state=reviewed)
    publish_scores(
        organisation=district.root,
        year=2026,
        kind=AssesseeKind.JOINT,
        scores={ua.pk: D("86.5")},
        computer=district.user("admin"),
        checker=district.user("org_dept"),
    )
    programme = fund_programme(
        district=district.root,
        plugin_key="joint_union_subsidy",
        fund_code="3103",
        code="LHGH",
        period_type="quarterly",
        params={
            "member_rate": "20",
            "activity_rate": "500",
            "activity_cap": "6000",
            "assessment_base": "5000",
            "score_bands": [{"min_score": 90, "coefficient": "1.2"}, {"min_score": 80, "coefficient": "1.0"}],
            "pilot_only": True,
            "pilot_orgs": [ua.code],
        },
    )
    cycle = run(district, programme, "2026-Q3", approver)
    e = Entitlement.objects.get(cycle=cycle)
    assert e.beneficiary_org == ua and e.amount == D("8340.00")  # 840 + 2,500 + 5,000
    assert "挂钩会员人数：会员 42 人 × 20.00 元 = 840.00 元" in e.explanation
    assert (
        "挂钩活动开展：活动 5 次" in e.explanation and "挂钩考核结果：已发布考核 86.50 分 → 系数 1.0" in e.explanation
    )
    assert ub.code not in cycle.entitlements.values_list("beneficiary_org__code", flat=True)


def test_dues_import_page(client, district):
    client.force_login(district.user("finance"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = xlsx([HEAD, [district.firm_a.credit_code, "顺鑫", 2026, 100, "x"]])
    r = client.post("/programmes/dues/import/", {"file": SimpleUploadedFile("bad.xlsx", bad), "year": "2026"})
    body = r.content.decode()
    assert r.status_code == 200 and "第 2 行“已缴工会经费”" in body and "下载错误报告" in body
    assert DuesRecord.objects.count() == 0
    good = xlsx([HEAD, [district.firm_a.credit_code, "顺鑫", 2026, 100, 10], [code(9), "未建会", 2026, 100, 10]])
    r = client.post("/programmes/dues/import/", {"file": SimpleUploadedFile("good.xlsx", good), "year": "2026"})
    assert "匹配 1 家" in r.content.decode() and DuesRecord.objects.count() == 2
    client.force_login(district.user("chair_a"))
    assert client.get("/programmes/dues/import/").status_code == 403
    page = client.get("/programmes/dues/").content.decode()
    assert "未建会" not in page  # the chair sees only its own union's rows (none here)
