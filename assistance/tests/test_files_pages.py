"""The file pages, the portal and the API: scope, masking, audit, steps through the page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import HardshipFile
from assistance.services import files as svc
from assistance.tests.factories import hardship_file, household_member, local_standard
from conftest import make_user
from core.models import AuditEvent
from members import fake
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant

ACCOUNT = "6222020200112233445"


@pytest.fixture
def setup(district):
    local_standard(district)
    person = member(district.union_a, name="王困难").person
    person.user = district.user("worker_a")
    person.save()
    file = hardship_file(
        person,
        approved_on=timezone.localdate() - timedelta(days=30),
        bank_name="农业银行顺义支行",
        bank_account=ACCOUNT,
        situation="妻子患病",
    )
    child = household_member(file, n=600001, name="王小宝")
    return file, child


def test_the_list_shows_files_in_scope_only(district, setup, login):
    file, _ = setup
    other = hardship_file(member(district.union_b, name="李外镇").person)
    text = login(district.user("assist_a")).get(reverse("assistance:file_list")).content.decode()
    assert file.file_no in text and "王困难" in text
    assert other.file_no not in text and "李外镇" not in text
    text = login(district.user("rights")).get(reverse("assistance:file_list")).content.decode()
    assert file.file_no in text and other.file_no in text


def test_list_filters_lapsed_and_due(district, setup, login):
    file, _ = setup
    lapsed = hardship_file(
        member(district.union_a, name="逾期人").person,
        approved_on=date(2024, 1, 1),
        valid_until=timezone.localdate() - timedelta(days=3),
    )
    due = hardship_file(
        member(district.union_a, name="到期人").person,
        approved_on=date(2025, 1, 1),
        valid_until=timezone.localdate() + timedelta(days=10),
    )
    client = login(district.user("assist_a"))
    text = client.get(reverse("assistance:file_list"), {"due": "lapsed"}).content.decode()
    assert lapsed.file_no in text and due.file_no not in text and file.file_no not in text
    assert "复核逾期" in text
    text = client.get(reverse("assistance:file_list"), {"due": "due"}).content.decode()
    assert due.file_no in text and lapsed.file_no not in text
    text = client.get(reverse("assistance:file_list"), {"cause": "illness", "state": "active"}).content.decode()
    assert file.file_no in text
    assert client.get(reverse("assistance:file_list"), {"due": "x" * 30}).status_code == 200


def test_the_file_page_is_masked_and_audited(district, setup, login):
    file, child = setup
    before = AuditEvent.objects.filter(kind="pii_view").count()
    response = login(district.user("assist_a")).get(reverse("assistance:file_detail", args=[file.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert child.id_number not in text and ACCOUNT not in text and file.person.id_number not in text
    assert "**** **** 3445" in text and child.id_number[:6] + "********" in text
    assert "显示完整" not in text  # assist_a does not hold assistance.view_pii
    event = AuditEvent.objects.filter(kind="pii_view").latest("at")
    assert AuditEvent.objects.filter(kind="pii_view").count() == before + 1
    assert event.user == district.user("assist_a") and file.file_no in event.summary


def test_a_whole_number_needs_view_pii_and_is_audited(district, setup, login):
    file, child = setup
    url = reverse("assistance:file_reveal", args=[file.pk])
    assert login(district.user("assist_a")).post(url, {"field": "bank_account"}).status_code == 403
    client = login(district.user("rights"))
    assert "显示完整" in client.get(reverse("assistance:file_detail", args=[file.pk])).content.decode()
    text = client.post(url, {"field": "bank_account"}, HTTP_HX_REQUEST="true").content.decode()
    assert ACCOUNT in text
    text = client.post(url, {"field": "id_number", "member": child.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert child.id_number in text
    assert AuditEvent.objects.filter(kind="pii_view", summary__contains="完整银行账号").exists()
    assert AuditEvent.objects.filter(kind="pii_view", summary__contains="王小宝的身份证号").exists()
    assert client.post(url, {"field": "id_number", "member": 10**30}).status_code == 404
    assert client.post(url, {"field": "mobile"}).status_code == 400


def test_outside_scope_is_404_and_without_the_action_403(district, setup, login):
    file, _ = setup
    officer_b = make_user("assist_b")
    role_grant(actor=None, user=officer_b, role=Role.ASSISTANCE_OFFICER, organisation=district.town_b)
    url = reverse("assistance:file_detail", args=[file.pk])
    assert login(officer_b).get(url).status_code == 404
    assert login(officer_b).post(reverse("assistance:file_action", args=[file.pk, "exit"]), {}).status_code == 404
    assert login(district.user("chair_a")).get(url).status_code == 403
    assert login(district.user("worker_a")).get(url).status_code == 403  # the worker reads it in the portal
    assert login(district.user("rights")).get(reverse("assistance:file_detail", args=[10**30])).status_code == 404


def test_the_chair_sees_status_only(district, setup, login):
    file, _ = setup
    text = login(district.user("chair_a")).get(reverse("assistance:status_list")).content.decode()
    assert "王困难" in text and "在档" in text
    assert file.file_no not in text and "深度困难" not in text and "妻子患病" not in text
    export = login(district.user("chair_a")).get(reverse("assistance:status_list") + "?export=xlsx")
    assert export.status_code == 404  # a status list has no export


def test_steps_through_the_page(district, login, setup):
    _, _ = setup
    person = member(district.union_a, name="张申请").person
    file = svc.file_apply(
        actor=district.user("rights"),
        person=person,
        data={"category": "deep", "main_cause": "illness", "housing": "rented"},
        own=svc.SelfDetails(monthly_income=Decimal("1000")),
    )
    url = reverse("assistance:file_action", args=[file.pk, "verify"])
    client = login(district.user("assist_a"))
    page = client.get(reverse("assistance:file_detail", args=[file.pk])).content.decode()
    assert 'data-testid="do-verify"' in page and 'data-testid="do-review"' not in page
    response = client.post(url, {"opinion": ""}, follow=True)
    assert "请填写核实意见" in response.content.decode() or "意见" in response.content.decode()
    file.refresh_from_db()
    assert file.state == "applied"
    client.post(url, {"opinion": "入户核实"})
    file.refresh_from_db()
    assert file.state == "verified"
    client = login(district.user("assist_town_a"))
    client.post(reverse("assistance:file_action", args=[file.pk, "review"]), {"opinion": "同意"})
    file.refresh_from_db()
    assert file.state == "reviewed"
    # rights applied: they may not approve too
    client = login(district.user("rights"))
    response = client.post(
        reverse("assistance:file_action", args=[file.pk, "approve"]), {"opinion": "批准"}, follow=True
    )
    assert "同一人不能办理两个环节" in response.content.decode()
    assert client.post(reverse("assistance:file_action", args=[file.pk, "fly"]), {}).status_code == 404


def test_household_form_validates_id_numbers(district, setup, login):
    file, _ = setup
    client = login(district.user("assist_a"))
    url = reverse("assistance:household_add", args=[file.pk])
    data = {
        "relation": "spouse",
        "name": "刘配偶",
        "id_number": "110105194912310021",
        "health": "healthy",
        "occupation": "farming",
        "monthly_income": "NaN",
        "medical_insurance": "resident",
    }
    assert client.post(url, data).status_code == 200
    data["monthly_income"] = "300"
    text = client.post(url, data).content.decode()
    assert "校验位错误" in text
    data["id_number"] = fake.id_number(600777)
    assert client.post(url, data).status_code == 302
    file.refresh_from_db()
    assert file.household_size == 2  # the factory's child and the spouse


def test_the_worker_applies_and_follows_in_the_portal(district, login):
    local_standard(district)
    person = member(district.union_a, name="王职工").person
    person.user = district.user("worker_a")
    person.save()
    client = login(district.user("worker_a"))
    assert 'data-testid="apply"' in client.get(reverse("assistance:my_file")).content.decode()
    data = {
        "own_occupation": "employed",
        "own_income": "1200",
        "own_insurance": "employee",
        "category": "relative",
        "main_cause": "illness",
        "health": "chronic",
        "housing": "rented",
        "monthly_rigid_expenses": "0",
        "bank_account": "6222 0202 0011 2233",
    }
    text = client.post(reverse("assistance:my_apply"), data).content.decode()
    assert "应认定为“深度困难”" in text
    data["category"] = "deep"
    assert client.post(reverse("assistance:my_apply"), data).status_code == 302
    file = HardshipFile.objects.get(person=person)
    assert file.applied_in_portal and file.bank_account == "6222020200112233"
    text = client.get(reverse("assistance:my_file")).content.decode()
    assert file.file_no in text and "待基层工会核实" in text and "6222020200112233" not in text
    household = {
        "relation": "child",
        "name": "王孩子",
        "id_number": fake.id_number(600888),
        "health": "healthy",
        "occupation": "student",
        "monthly_income": "0",
        "medical_insurance": "resident",
    }
    assert client.post(reverse("assistance:my_household", args=[file.pk]), household).status_code == 302
    file.refresh_from_db()
    assert file.household_size == 2 and file.income_per_head == Decimal("600.00")
    other = hardship_file(member(district.union_b).person)
    assert client.get(reverse("assistance:my_household", args=[other.pk])).status_code == 404


def test_api_lists_masked_and_creates_through_the_service(district, setup, login):
    file, child = setup
    client = login(district.user("assist_a"))
    body = client.get("/api/v1/assistance/files/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["file_no"] for r in rows] == [file.file_no]
    assert rows[0]["bank_account_masked"] == "**** **** 3445" and ACCOUNT not in str(body)
    detail = client.get(f"/api/v1/assistance/files/{file.pk}/").json()
    assert child.id_number not in str(detail) and detail["household"][0]["id_number_masked"].startswith(
        child.id_number[:6]
    )
    other = member(district.union_b, name="外镇人").person
    response = client.post(
        "/api/v1/assistance/files/",
        {"person": other.pk, "category": "deep", "main_cause": "illness", "housing": "owned"},
        content_type="application/json",
    )
    assert response.status_code == 400
    mine = member(district.union_a, name="本村人").person
    response = client.post(
        "/api/v1/assistance/files/",
        {"person": mine.pk, "category": "deep", "main_cause": "illness", "housing": "owned", "own_income": "NaN"},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/assistance/files/",
        {"person": mine.pk, "category": "deep", "main_cause": "illness", "housing": "owned", "own_income": "800"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert HardshipFile.objects.get(person=mine).state == "applied"
    # town B's officer sees nothing of town A
    officer_b = make_user("assist_b")
    role_grant(actor=None, user=officer_b, role=Role.ASSISTANCE_OFFICER, organisation=district.town_b)
    assert login(officer_b).get(f"/api/v1/assistance/files/{file.pk}/").status_code == 404


def test_workbench_todos_count_the_rows_their_links_open(district, setup, login):
    from dashboard.selectors import todos

    file, _ = setup
    hardship_file(
        member(district.union_a, name="逾期人").person,
        approved_on=date(2024, 1, 1),
        valid_until=timezone.localdate() - timedelta(days=3),
    )
    waiting = svc.file_apply(
        actor=None,
        person=member(district.union_a, name="新申请").person,
        data={"category": "deep", "main_cause": "illness", "housing": "owned"},
    )
    items = {t.key: t for t in todos(district.user("assist_a"))}
    assert items["files-verify"].count == 1 and items["files-lapsed"].count == 1
    assert "files-review" not in items  # nothing waits at town A's step
    client = login(district.user("assist_a"))
    text = client.get(items["files-verify"].url).content.decode()
    assert waiting.file_no in text and file.file_no not in text
    assert "逾期人" in client.get(items["files-lapsed"].url).content.decode()
    town = {t.key: t for t in todos(district.user("assist_town_a"))}
    assert "files-verify" in town  # the town may verify for a union without an officer
    assert not {k for k in (t.key for t in todos(district.user("chair_a"))) if k.startswith("files-")}


def test_the_member_page_shows_the_file_state_to_status_holders(district, setup, login):
    file, _ = setup
    url = reverse("members:detail", args=[file.person.pk])
    text = login(district.user("chair_a")).get(url).content.decode()
    assert "困难职工档案" in text and "沙坨村工会联合会：在档" in text
    assert reverse("assistance:file_detail", args=[file.pk]) not in text  # the chair may not open it
    text = login(district.user("assist_a")).get(url).content.decode()
    assert reverse("assistance:file_detail", args=[file.pk]) in text
    text = login(district.user("org_dept")).get(url).content.decode()
    assert "困难职工档案" not in text  # no assistance action: not even that a file exists


def test_the_centre_corrects_a_standard_on_the_standards_page(district, login):
    from assistance.models import LocalStandard

    wrong = local_standard(district)
    later = svc.standard_save(
        actor=None,
        district=district.root,
        effective_from=date(2026, 9, 1),
        dibao_monthly="1500",
        relative_multiple="1.5",
    )
    url = reverse("assistance:standard_list")
    client = login(district.user("rights"))
    form = {"standard": wrong.pk, "effective_from": "2025-09-01", "dibao_monthly": "1405", "relative_multiple": "1.6"}
    text = client.post(url, form, follow=True).content.decode()
    assert "已修改 2025-09-01 起的低保标准 1405.00 元" in text
    wrong.refresh_from_db()
    assert (wrong.dibao_monthly, wrong.relative_multiple) == (Decimal("1405.00"), Decimal("1.60"))
    assert LocalStandard.objects.count() == 2

    # a correction onto another row's date, an unknown row, a 30-digit id: refused, nothing changed
    for bad, message in (
        ({"effective_from": "2026-09-01"}, "2026-09-01 起的标准已录入，请修改那一条"),
        ({"standard": 999999}, "选择一个有效的选项"),
        ({"standard": 10**30}, "选择一个有效的选项"),
        ({"dibao_monthly": "NaN"}, "输入一个数字"),
        ({"effective_from": "0000-01-01"}, "输入一个有效的日期"),
    ):
        response = client.post(url, form | bad)
        assert response.status_code == 200 and message in response.content.decode(), bad
    wrong.refresh_from_db()
    later.refresh_from_db()
    assert (wrong.dibao_monthly, wrong.effective_from, later.dibao_monthly) == (
        Decimal("1405.00"),
        date(2025, 9, 1),
        Decimal("1500.00"),
    )
    assert LocalStandard.objects.count() == 2
    # an assistance officer reads the standards and has no form
    text = login(district.user("assist_a")).get(url).content.decode()
    assert "1405.00" in text or "1,405.00" in text
    assert "录入或修改标准" not in text


def test_the_file_page_links_to_the_payee_account_for_whoever_may_enter_it(district, setup, login):
    """issue 17: a person's bank payee account lives with their file; 登记收款账户 shows only to
    finance and the assistance officers processing it (the union's, the town's, the district's
    assistance centre), the account page's link only to those reading the funds (funds.view)."""
    from funds import bank

    file, _ = setup
    url = reverse("assistance:file_detail", args=[file.pk])
    enter = f'href="/funds/bank/accounts/new/file/{file.pk}/"'
    for who in ("assist_a", "assist_town_a"):
        text = login(district.user(who)).get(url).content.decode()
        assert enter in text and "未登记，不能编入银行批次" in text, who
        assert 'data-testid="file-payee-view"' not in text
    for who in ("chair_a", "auditor", "worker_a"):
        response = login(district.user(who)).get(url)
        assert enter not in response.content.decode(), who
    account = bank.payee_account_enter(
        actor=district.user("assist_a"),
        file=file,
        holder_name="王困难",
        number="6228480012345678901",
        bank_name="农业银行顺义支行",
        bank_code="103100000026",
        valid_from=date(2026, 1, 1),
    )
    text = login(district.user("rights")).get(url).content.decode()
    assert f'href="/funds/bank/accounts/{account.pk}/"' in text and "6228 **** **** 8901" in text
    assert enter in text and "6228480012345678901" not in text
    text = login(district.user("assist_a")).get(url).content.decode()
    assert "6228 **** **** 8901" in text and "待核验" in text and f"/funds/bank/accounts/{account.pk}/" not in text
