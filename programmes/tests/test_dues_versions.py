"""Issue 10 item 3: the dues rebate across parameter versions, rounding to the fen per year, the
returning-enterprise rule, and a re-imported year replacing that year's figures (with the change
shown first). The tax file goes through the shared reader (title rows, aliases, encodings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.system import system_actor
from funds import services
from funds.models import Entitlement
from funds.testing import fund_programme
from programmes.models import DuesRecord
from programmes.plugins import DuesRebate, dues_rebate_amount, retained_share
from programmes.services import dues_import
from programmes.tests.test_programmes import HEAD, code, run, union, xlsx

pytestmark = pytest.mark.django_db
D = Decimal


def _load(district, rows, year, **kwargs):
    result = dues_import(
        actor=district.user("finance"),
        district=district.root,
        filename=f"{year}.xlsx",
        content=xlsx([HEAD, *rows]),
        year=year,
        **kwargs,
    )
    assert not result.errors, [str(e) for e in result.errors]
    return result


def _programme(district, params_2024, params_2025=None):
    programme = fund_programme(
        district=district.root,
        plugin_key="dues_rebate",
        fund_code="3102",
        code="FH",
        params=params_2024,
        effective_from=date(2024, 1, 1),
    )
    if params_2025 is not None:
        services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2025, 1, 1), params=params_2025
        )
    return programme


def test_each_year_uses_the_ratio_in_force_for_that_year(district):
    firm = district.firm_a
    _load(district, [[firm.credit_code, "顺鑫", 2024, 0, 10000]], 2024)
    _load(district, [[firm.credit_code, "顺鑫", 2025, 0, 13000]], 2025)
    programme = _programme(district, {"retention_ratio": "0.30"}, {"retention_ratio": "0.40"})
    cycle = run(district, programme, "2025")
    e = Entitlement.objects.get(cycle=cycle, beneficiary_org=firm)
    # (13,000 × 0.40 − 10,000 × 0.30) × 50% = (5,200 − 3,000) × 50% = 1,100.00
    assert e.amount == D("1100.00")
    assert "留成 30%" in e.explanation and "留成 40%" in e.explanation and "2024-01-01 起参数" in e.explanation


def test_retained_shares_are_rounded_to_the_fen_before_the_difference(district):
    firm = district.firm_a
    _load(district, [[firm.credit_code, "顺鑫", 2024, 0, 10000]], 2024)
    _load(district, [[firm.credit_code, "顺鑫", 2025, 0, 13000.02]], 2025)
    programme = _programme(district, {"retention_ratio": "0.35"})
    e = Entitlement.objects.get(cycle=run(district, programme, "2025"), beneficiary_org=firm)
    # 3,500.00 and 4,550.007 → 4,550.01; growth 1,050.01 × 50% = 525.005 → 525.01
    assert e.amount == D("525.01")
    for figure in ("3,500.00", "4,550.01", "1,050.01", "525.01"):
        assert figure in e.explanation


@pytest.mark.parametrize(
    ("rule", "expected", "said"), [("new", D("4000.00"), "按新缴费企业"), ("growth", D("2000.00"), "上年留成按 0")]
)
def test_enterprise_that_paid_two_years_ago_not_last_year(district, rule, expected, said):
    firm = district.firm_a
    _load(district, [[firm.credit_code, "顺鑫", 2023, 0, 9000]], 2023)
    _load(district, [[firm.credit_code, "顺鑫", 2025, 0, 10000]], 2025)
    params = {"retention_ratio": "0.40"} | ({} if rule == "new" else {"returning_enterprise": rule})
    programme = _programme(district, params)
    e = Entitlement.objects.get(cycle=run(district, programme, "2025"), beneficiary_org=firm)
    assert e.amount == expected and said in e.explanation and "中断后再缴费" in e.explanation


def test_returning_rule_is_validated():
    assert DuesRebate().validate_parameters({"retention_ratio": "0.4"})["returning_enterprise"] == "new"
    with pytest.raises(ValidationError, match="“中断后再缴费企业”应为") as refused:
        DuesRebate().validate_parameters({"retention_ratio": "0.4", "returning_enterprise": "maybe"})
    assert list(refused.value.message_dict) == ["returning_enterprise"]


ratios = st.decimals(min_value=D("0"), max_value=D("1"), places=2)
amounts = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)


@given(dues=amounts, prior=amounts, ratio=ratios, prior_ratio=ratios, share=ratios)
def test_rebate_is_share_of_growth_of_rounded_retained_shares(dues, prior, ratio, prior_ratio, share):
    rebate, retained, prior_retained, case = dues_rebate_amount(
        dues=dues, prior_dues=prior, ratio=ratio, prior_ratio=prior_ratio, growth_share=share, new_share=D("1")
    )
    assert case == "growth"
    assert retained == retained_share(dues, ratio) and prior_retained == retained_share(prior, prior_ratio)
    assert retained == retained.quantize(D("0.01")) and prior_retained == prior_retained.quantize(D("0.01"))
    growth = max(D(0), retained - prior_retained)
    # the explanation's figures reproduce the amount: growth × share, rounded once
    assert abs(rebate - growth * share) <= D("0.005") and rebate >= 0
    # the prior year's ratio matters: raising it never raises the rebate
    higher = min(D(1), prior_ratio + D("0.1"))
    assert (
        dues_rebate_amount(
            dues=dues, prior_dues=prior, ratio=ratio, prior_ratio=higher, growth_share=share, new_share=D("1")
        )[0]
        <= rebate
    )


@given(dues=amounts, ratio=ratios)
def test_same_dues_same_ratio_no_rebate_different_ratio_rebate(dues, ratio):
    same = dues_rebate_amount(
        dues=dues, prior_dues=dues, ratio=ratio, prior_ratio=ratio, growth_share=D("0.5"), new_share=D("1")
    )
    assert same[0] == D("0.00")


def test_reimporting_a_year_replaces_it_after_confirmation(district):
    firm, other = district.firm_a, union(district, "E-2", "二号公司工会", credit=code(2), founded=date(2010, 1, 1))
    _load(
        district,
        [
            [firm.credit_code, "顺鑫", 2025, 0, 1000],
            [other.credit_code, "二号", 2025, 0, 500],
            [code(9), "未建会", 2025, 0, 1],
        ],
        2025,
    )
    content = xlsx([HEAD, [firm.credit_code, "顺鑫", 2025, 0, 1200], [code(9), "未建会", 2025, 0, 1]])
    kwargs = dict(
        actor=district.user("finance"), district=district.root, filename="2025b.xlsx", content=content, year=2025
    )
    preview = dues_import(**kwargs)
    assert preview.needs_confirmation and preview.batch is None
    assert [(c["credit_code"], c["old_dues"], c["new_dues"]) for c in preview.changed] == [
        (firm.credit_code, D("1000.00"), D("1200.00"))
    ]
    assert [r["credit_code"] for r in preview.removed] == [other.credit_code] and preview.unchanged == 1
    # nothing changed until confirmed
    assert DuesRecord.objects.get(credit_code=firm.credit_code, year=2025).dues_paid == D("1000.00")
    assert DuesRecord.objects.filter(year=2025).count() == 3
    assert dues_import(**kwargs, confirm_replace="0" * 64).batch is None  # a wrong confirmation writes nothing
    done = dues_import(**kwargs, confirm_replace=preview.digest)
    assert done.batch is not None
    assert dict(DuesRecord.objects.filter(year=2025).values_list("credit_code", "dues_paid")) == {
        firm.credit_code: D("1200.00"),
        code(9): D("1.00"),
    }


def test_dues_file_through_the_shared_reader(district):
    firm = district.firm_a
    gbk_csv = (
        "税务代收工会经费明细（2025年）\n\n信用代码,企业名称,所属年度,计缴工资总额,实缴金额,备注\n"
        f"{firm.credit_code},顺鑫,2025,100000,2000,无\n"
    ).encode("gb18030")
    result = dues_import(
        actor=district.user("finance"), district=district.root, filename="x.csv", content=gbk_csv, year=2025
    )
    assert not result.errors and result.unknown_headers == ["备注"]
    assert result.raw_rows[0][0] == 4  # the file's own line number
    mixed = (
        "信用代码,企业名称,所属年度,计缴工资总额,实缴金额\n".encode("gbk")
        + f"{firm.credit_code},顺鑫,2025,1,1\n".encode()
    )
    bad = dues_import(
        actor=district.user("finance"), district=district.root, filename="y.csv", content=mixed, year=2025
    )
    assert bad.errors and "混用了两种编码" in str(bad.errors[0])


def test_dues_page_shows_the_replacement_and_writes_only_on_confirmation(client, district, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    firm = district.firm_a
    _load(district, [[firm.credit_code, "顺鑫", 2025, 0, 1000], [code(9), "未建会", 2025, 0, 5]], 2025)
    client.force_login(district.user("finance"))
    new = xlsx([HEAD, [firm.credit_code, "顺鑫", 2025, 0, 1500]])
    r = client.post("/programmes/dues/import/", {"file": SimpleUploadedFile("2025.xlsx", new), "year": "2025"})
    body = r.content.decode()
    assert "待确认替换" in body and "将删除" in body and "未建会" in body and 'data-testid="confirm-replace"' in body
    assert DuesRecord.objects.filter(year=2025).count() == 2
    digest = r.context["result"].digest
    stale = client.post(
        "/programmes/dues/import/", {"confirm_replace": "f" * 64, "year": "2025", "filename": "2025.xlsx"}
    )
    assert stale.status_code == 302 and DuesRecord.objects.filter(year=2025).count() == 2
    done = client.post("/programmes/dues/import/", {"confirm_replace": digest, "year": "2025", "filename": "2025.xlsx"})
    assert "导入完成" in done.content.decode()
    assert dict(DuesRecord.objects.filter(year=2025).values_list("credit_code", "dues_paid")) == {
        firm.credit_code: D("1500.00")
    }
