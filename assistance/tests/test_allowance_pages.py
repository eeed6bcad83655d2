"""The figures page (帮扶统计), its drill-down lists and an allowance cycle's bank payment list:
scoped, masked, exported, and every bad input answered with a Chinese message, never a 500."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from assistance.tests.allowance_helpers import allowance_programme, holiday_programme, person, run
from assistance.tests.factories import hardship_file
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ACCOUNT = "6222020200112345678"


@pytest.fixture
def paid(district):
    """Two files at 沙坨村 (town A), one at 西泗上村 (town B); February missed, March run (so
    February is arrears), the 2027 spring campaign paid."""
    with override_settings(TASKS=IMMEDIATE):
        programme = allowance_programme(district)
        a1 = hardship_file(person(district, name="甲一"), approved_on=date(2026, 1, 10), bank_account=ACCOUNT)
        a2 = hardship_file(person(district, name="甲二"), approved_on=date(2026, 2, 10), bank_account=ACCOUNT)
        b1 = hardship_file(
            person(district, district.union_b, name="乙一"), approved_on=date(2026, 1, 10), bank_account=ACCOUNT
        )
        mar = run(district, programme, "2026-03", on=date(2026, 3, 20))
        holiday = holiday_programme(district, as_of="2026-12-20", campaign="2027 年春节送温暖")
        run(district, holiday, "2027")
    return {"programme": programme, "cycle": mar, "files": (a1, a2, b1)}


def rows(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def test_figures_for_the_district_and_each_figure_links_to_exactly_its_rows(client, district, paid):
    client.force_login(district.user("rights"))
    year = date.today().year
    response = client.get(reverse("assistance:figures"), {"start": "2026-01-01", "end": f"{year}-12-31"})
    assert response.status_code == 200
    groups = {g["group"].key: g["figures"] for g in response.context["groups"]}
    files, months, yuan, arrears = (f.value for f in groups["allowance"])
    # a1: Feb (arrears) + Mar; a2: Mar; b1: Feb (arrears) + Mar
    assert (files, months, str(yuan), arrears) == (3, 5, "1000.00", 2)
    people, holiday_yuan = (f.value for f in groups["holiday"])
    assert (people, str(holiday_yuan)) == (3, "3000.00")
    # the drill-down list counts exactly the figure
    drill = client.get(groups["allowance"][1].rows_url)
    assert drill.context["table"].paginator.count == 5
    assert client.get(groups["allowance"][3].rows_url).context["table"].paginator.count == 2
    assert client.get(groups["holiday"][0].rows_url).context["table"].paginator.count == 3


def test_figures_by_subtree_and_for_a_village_officer_only_their_union(client, district, paid):
    client.force_login(district.user("rights"))
    year = date.today().year
    town_a = client.get(reverse("assistance:figures"), {"organisation": "T-A", "year": str(year)})
    allowance = town_a.context["groups"][0]["figures"]
    assert [f.value for f in allowance][:2] == [2, 3]
    assert "subtree=T-A" in allowance[0].rows_url
    client.force_login(district.user("assist_a"))
    own = client.get(reverse("assistance:figures"), {"year": str(year)})
    assert [f.value for f in own.context["groups"][0]["figures"]][:2] == [2, 3]
    # town B's organisation is outside 沙坨村's officer's choices
    refused = client.get(reverse("assistance:figures"), {"organisation": "T-B-1", "year": str(year)})
    assert "所选组织不存在，或不在您可选择的范围内" in refused.content.decode()
    assert refused.context["groups"] == []


def test_figures_export_is_audited_and_holds_every_figure(client, district, paid):
    client.force_login(district.user("rights"))
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count()
    response = client.get(reverse("assistance:figures"), {"start": "2026-01-01", "end": "2027-12-31", "export": "xlsx"})
    assert response.status_code == 200
    sheet = rows(response)
    assert sheet[0][:4] == ["项目", "指标", "数值", "单位"]
    assert sheet[2][:4] == ["生活补助", "发放人月", 5.0, "人月"]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == before + 1


@pytest.mark.parametrize(
    "query",
    [
        {"year": "0"},
        {"year": "NaN"},
        {"year": "999999999999999999999999999999"},
        {"start": "2026-02-30", "end": "2026-03-01"},
        {"start": "2026-03-01"},
        {"start": "2026-03-01", "end": "2026-01-01"},
        {"organisation": "999999999999999999999999999999"},
    ],
)
def test_figures_bad_input_is_a_message_never_a_500(client, district, paid, query):
    client.force_login(district.user("rights"))
    response = client.get(reverse("assistance:figures"), query)
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert client.get(reverse("assistance:figures"), {**query, "export": "xlsx"}).status_code == 404


def test_figures_and_drill_downs_refused_to_a_worker_and_a_chair(client, district, paid):
    for who in ("worker_a", "chair_a", "nobody"):
        client.force_login(district.user(who))
        for name in ("assistance:figures", "assistance:allowance_months", "assistance:holiday_payments"):
            assert client.get(reverse(name)).status_code == 403, (who, name)


@pytest.mark.parametrize("who", ["auditor", "finance"])
def test_the_auditor_and_finance_read_the_figures_and_export_but_take_no_action(client, district, paid, who):
    """经审 and finance: the figures, their payment rows and the export; no file, no step."""
    client.force_login(district.user(who))
    home = client.get("/").content.decode()
    assert reverse("assistance:figures") in home and "帮扶统计" in home
    response = client.get(reverse("assistance:figures"), {"start": "2026-01-01", "end": "2027-12-31"})
    assert response.status_code == 200
    groups = {g["group"].key: g["figures"] for g in response.context["groups"]}
    assert [f.value for f in groups["allowance"]][:2] == [3, 5]
    assert client.get(groups["allowance"][1].rows_url).context["table"].paginator.count == 5
    assert groups["relief"][0].rows_url == ""  # the applications themselves are the assistance officers'
    text = response.content.decode()
    assert 'data-testid="figure-relief-1"' in text and reverse("assistance:relief_list") not in text
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, user=district.user(who)).count()
    export = client.get(reverse("assistance:figures"), {"start": "2026-01-01", "end": "2027-12-31", "export": "xlsx"})
    assert rows(export)[2][:4] == ["生活补助", "发放人月", 5.0, "人月"]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, user=district.user(who)).count() == before + 1
    file = paid["files"][0]
    assert client.get(reverse("assistance:file_list")).status_code == 403
    assert client.get(reverse("assistance:file_detail", args=[file.pk])).status_code == 403
    response = client.post(
        reverse("assistance:file_action", args=[file.pk, "exit"]), {"reason": "income", "on": "2026-06-01"}
    )
    assert response.status_code == 403
    file.refresh_from_db()
    assert file.state == "active"


def test_bank_list_names_the_months_and_masks_the_account_unless_the_export_is_a_centre_officers(
    client, district, paid
):
    url = reverse("assistance:allowance_bank_list", args=[paid["cycle"].pk])
    client.force_login(district.user("finance"))
    assert url in client.get(reverse("funds:cycle_detail", args=[paid["cycle"].pk])).content.decode()
    page = client.get(url).content.decode()
    assert "补发 1 个月：2026-02（200.00 元）" in page
    assert ACCOUNT not in page and "6222 **** **** 5678" in page
    sheet = rows(client.get(url + "?export=xlsx"))
    assert sheet[0][:5] == ["档案编号", "收款人", "开户行", "户名", "银行账号"]
    assert {r[4] for r in sheet[1:]} == {"6222 **** **** 5678"}
    client.force_login(district.user("rights"))  # the centre: may see whole accounts, and the export says so
    assert ACCOUNT not in client.get(url).content.decode()
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count()
    sheet = rows(client.get(url + "?export=xlsx"))
    assert {r[4] for r in sheet[1:]} == {ACCOUNT}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == before + 1


def test_bank_list_of_another_programme_or_outside_scope_is_404(client, district, paid):
    client.force_login(district.user("finance"))
    assert client.get(reverse("assistance:allowance_bank_list", args=[10**12])).status_code == 404
    from funds.models import Cycle

    holiday_cycle = Cycle.objects.get(programme__plugin_key="assistance_holiday")
    assert client.get(reverse("assistance:allowance_bank_list", args=[holiday_cycle.pk])).status_code == 404
    client.force_login(district.user("town_b"))
    assert client.get(reverse("assistance:allowance_bank_list", args=[paid["cycle"].pk])).status_code == 404
