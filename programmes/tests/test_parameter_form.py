"""Issue 11 item 6: a programme's rules are a form built from the plug-in's declared parameters and a
table of versions a person reads — never a JSON textarea, a Python dict or a rule key."""

from __future__ import annotations

import re
from datetime import date

import pytest

from funds.models import ParameterVersion
from funds.testing import fund_programme
from programmes.plugins import PLUGINS
from programmes.tests.test_programmes import TIERS, WINDOW

pytestmark = pytest.mark.django_db

PAGE = "/funds/programmes/{}/"


def visible_text(response) -> str:
    """What a person reads on the page: the body without tags, scripts and attribute values."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def startup(district):
    return fund_programme(
        district=district.root,
        plugin_key="startup_grant",
        fund_code="3101",
        code="JHQD",
        params={**WINDOW, "tiers": TIERS},
        period_type="once",
    )


def post(client, programme, **fields):
    data = {
        "action": "version",
        "effective_from": "2027-01-01",
        "window_start": "2027-01-01",
        "window_end": "2027-12-31",
        "count_days_after_founding": "0",
        "tiers": "3",
        "tiers-0-min_members": "1",
        "tiers-0-rate": "160",
        "tiers-1-min_members": "51",
        "tiers-1-rate": "1,200.5",
        "tiers-2-min_members": "",
        "tiers-2-rate": "",
        "note": "2027 年标准",
    }
    data.update(fields)
    return client.post(PAGE.format(programme.code), data)


def test_every_plugin_declares_its_parameters():
    for plugin in PLUGINS:
        names = {p.name for p in plugin.parameters}
        assert names, plugin.label
        assert all(re.search(r"[\u4e00-\u9fff]", p.label) for p in plugin.parameters)  # Chinese labels


def test_form_shows_labels_and_current_tiers_not_json(client, district, startup):
    client.force_login(district.user("finance"))
    response = client.get(PAGE.format(startup.code))
    text = visible_text(response)
    for label in ("建会时间窗口起", "建会时间窗口止", "分档标准", "起始人数（人）", "每人标准（元）", "增加一档"):
        assert label in text
    for internal in ("startup_grant", "min_members", "window_start", "{'", '{"', "参数（JSON）"):
        assert internal not in text, internal
    html = response.content.decode()
    # the current version fills the form: its tiers, then a blank row to add one
    assert 'name="tiers-0-rate" value="150.00"' in html and 'name="tiers-1-min_members" value="51"' in html
    assert 'name="tiers-2-rate"' in html and 'name="tiers-3-rate"' not in html
    assert "<textarea" not in html


def test_versions_table_reads_as_money_and_dates(client, district, startup):
    client.force_login(district.user("auditor"))  # reads, prepares nothing: the table, no form
    response = client.get(PAGE.format(startup.code))
    text = visible_text(response)
    assert "2020-01-01 起" in text and "150.00 元" in text and "120.00 元" in text
    assert "2026-01-01" in text and "成立后计算会员人数的天数" in text
    assert 'data-testid="parameter-form"' not in response.content.decode()


def test_a_valid_form_adds_the_normalised_version(client, district, startup):
    client.force_login(district.user("finance"))
    response = post(client, startup)
    assert response.status_code == 302
    version = ParameterVersion.objects.get(programme=startup, effective_from=date(2027, 1, 1))
    assert version.params == {
        "window_start": "2027-01-01",
        "window_end": "2027-12-31",
        "count_days_after_founding": 0,
        "tiers": [{"min_members": 1, "rate": "160.00"}, {"min_members": 51, "rate": "1200.50"}],
    }
    assert version.note == "2027 年标准" and version.created_by == district.user("finance")
    page = visible_text(client.get(PAGE.format(startup.code)))
    assert "1,200.50 元" in page and "2027-01-01 起" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tiers-0-rate": "NaN"}, "金额无效"),
        ({"tiers-0-rate": "Infinity"}, "金额无效"),
        ({"tiers-0-rate": "-150"}, "100"),  # negative, and below 100 yuan per member
        ({"tiers-1-rate": "80"}, "100"),
        ({"tiers-1-min_members": "1"}, "各档不能重叠"),
        ({"tiers-1-min_members": ""}, "第 2 档：请填写起始人数（人）"),
        ({"tiers-0-min_members": "2"}, "第 1 档须从 1 人起"),
        ({"tiers-0-min_members": "1" * 30}, "数值超出允许范围"),
        ({"tiers-0-min_members": "", "tiers-0-rate": "", "tiers-1-min_members": "", "tiers-1-rate": ""}, "至少一档"),
        ({"window_end": "2026-12-31"}, "不能早于"),
        ({"window_start": "0000-01-01"}, "输入一个有效的日期"),
        ({"count_days_after_founding": "-1"}, "大于或等于0"),
        ({"effective_from": ""}, "该字段是必填项"),
        ({"effective_from": "2020-01-01"}, "已有参数版本"),
    ],
)
def test_refusals_are_chinese_and_change_nothing(client, district, startup, fields, message):
    client.force_login(district.user("finance"))
    before = ParameterVersion.objects.count()
    response = post(client, startup, **fields)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert ParameterVersion.objects.count() == before


def test_hostile_row_count_is_bounded(client, district, startup):
    client.force_login(district.user("finance"))
    response = post(client, startup, tiers="9" * 30)
    assert response.status_code == 200 and "分档标准：数值超出允许范围" in visible_text(response)
    assert ParameterVersion.objects.filter(programme=startup).count() == 1
    response = post(client, startup, tiers="100000")  # at most 50 rows are read, none beyond
    assert response.status_code == 302 and ParameterVersion.objects.filter(programme=startup).count() == 2


def test_only_those_who_prepare_may_add_a_version(client, district, startup):
    client.force_login(district.user("auditor"))
    assert post(client, startup).status_code == 403
    assert not ParameterVersion.objects.filter(effective_from=date(2027, 1, 1)).exists()


@pytest.fixture
def joint(district):
    return fund_programme(
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
            "score_bands": [{"min_score": 90, "coefficient": "1.2"}],
            "pilot_only": True,
            "pilot_orgs": [district.union_a.code],
        },
    )


def joint_post(client, programme, **fields):
    data = {
        "action": "version",
        "effective_from": "2027-01-01",
        "member_rate": "25",
        "activity_rate": "500",
        "activity_cap": "6000",
        "assessment_base": "5000",
        "score_bands": "2",
        "score_bands-0-min_score": "90",
        "score_bands-0-coefficient": "1.2",
        "score_bands-1-min_score": "80",
        "score_bands-1-coefficient": "1",
        "pilot_only": "on",
        "pilot_orgs": ["T-A-1", "T-B-1"],
    }
    data.update(fields)
    return client.post(PAGE.format(programme.code), data)


def test_joint_union_pilots_are_chosen_and_read_by_name(client, district, joint):
    client.force_login(district.user("finance"))
    page = client.get(PAGE.format(joint.code))
    text = visible_text(page)
    assert "仅限试点工会" in text and "沙坨村工会联合会" in text and "是" in text  # pilots by name
    assert "T-A-1" not in text.split("新增参数版本")[0]  # the versions table names the union
    assert joint_post(client, joint).status_code == 302
    params = ParameterVersion.objects.get(programme=joint, effective_from=date(2027, 1, 1)).params
    assert params["pilot_orgs"] == ["T-A-1", "T-B-1"] and params["member_rate"] == "25.00"
    assert [b["min_score"] for b in params["score_bands"]] == ["90", "80"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pilot_orgs": ["T-A-2"]}, "不在您可选择的范围内"),  # an enterprise union is no joint union
        ({"pilot_orgs": ["NOPE"]}, "不在您可选择的范围内"),
        ({"pilot_orgs": []}, "请选择试点工会"),
        ({"score_bands-1-min_score": "90"}, "分数下限不能重复"),
        ({"score_bands-1-min_score": "101"}, "小于或等于100"),
        ({"score_bands-1-coefficient": "NaN"}, "输入一个数字"),
        ({"member_rate": "-1"}, "大于或等于0"),
        ({"member_rate": "abc"}, "金额无效"),
    ],
)
def test_joint_union_refusals(client, district, joint, fields, message):
    client.force_login(district.user("finance"))
    response = joint_post(client, joint, **fields)
    assert response.status_code == 200 and message in visible_text(response)
    assert not ParameterVersion.objects.filter(programme=joint, effective_from=date(2027, 1, 1)).exists()


def test_dues_rebate_ratios_are_percentages(client, district):
    programme = fund_programme(
        district=district.root,
        plugin_key="dues_rebate",
        fund_code="3103",
        code="SWFH",
        params={"retention_ratio": "0.4", "retention_ratio_by_year": {"2024": "0.35"}},
    )
    client.force_login(district.user("finance"))
    response = client.get(PAGE.format(programme.code))
    text = visible_text(response)
    assert "区总工会留成比例（%）" in text and "40%" in text and "35%" in text and "按新缴费企业计算" in text
    assert "dues_rebate" not in text and "returning_enterprise" not in text
    data = {
        "action": "version",
        "effective_from": "2027-01-01",
        "retention_ratio": "42.5",
        "retention_ratio_by_year": "1",
        "retention_ratio_by_year-0-year": "2026",
        "retention_ratio_by_year-0-ratio": "40",
        "growth_share": "50",
        "new_share": "100",
        "returning_enterprise": "growth",
    }
    assert client.post(PAGE.format(programme.code), data).status_code == 302
    params = ParameterVersion.objects.get(programme=programme, effective_from=date(2027, 1, 1)).params
    assert params["retention_ratio"] == "0.425" and params["retention_ratio_by_year"] == {"2026": "0.4"}
    assert params["growth_share"] == "0.5" and params["new_share"] == "1"
    assert params["returning_enterprise"] == "growth" and params["require_assessment_pass"] is False
    for bad, message in (("101", "小于或等于100"), ("NaN", "输入一个数字"), ("-5", "大于或等于0")):
        response = client.post(
            PAGE.format(programme.code), {**data, "effective_from": "2028-01-01", "retention_ratio": bad}
        )
        assert response.status_code == 200 and message in visible_text(response)
    assert not ParameterVersion.objects.filter(effective_from=date(2028, 1, 1)).exists()
