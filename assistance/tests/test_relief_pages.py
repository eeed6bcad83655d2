"""The relief and scholarship pages as people use them: the portal form refuses bad input and saves
nothing, lists and pages are scoped and audited, the workbench and the figures count the right rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from assistance.figures import figure_groups
from assistance.models import ReliefApplication
from assistance.services.relief import relief_apply, relief_approve, relief_verify
from assistance.tests.relief_helpers import (
    PDF,
    _immediate_tasks,  # noqa: F401 (autouse fixture)
    donate,
    pdf,
    relief_programme,
    worker_person,
)
from core.models import AuditEvent
from dashboard.selectors import todos


def _post(client, **changes):
    data = {
        "illness": "肺癌",
        "hospital": "北京大学肿瘤医院",
        "treatment_start": (timezone.localdate() - timedelta(days=9)).isoformat(),
        "total_cost": "100000",
        "basic_insurance": "50000",
        "serious_illness_insurance": "20000",
        "supplementary_insurance": "4000",
        "documents": pdf(),
        **changes,
    }
    return client.post("/assistance/my/relief/new/", data)


def test_portal_apply_and_bad_input(district, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    relief_programme(district)
    worker_person(district)
    client = login(district.user("worker_a"))
    for changes, message in (
        ({"basic_insurance": "90000"}, "超过医疗费用总额"),
        ({"total_cost": "NaN"}, "金额无效"),
        ({"total_cost": "-5"}, "不能为负数"),
        ({"treatment_start": "0000-01-01"}, "输入一个有效的日期"),
        ({"documents": pdf("a.exe", PDF)}, "类型不允许"),
        ({"total_cost": "9" * 30}, "医疗费用总额"),
    ):
        response = _post(client, **changes)
        assert response.status_code == 200, changes
        assert message in response.content.decode(), (changes, message)
    assert not ReliefApplication.objects.exists()
    response = _post(client)
    application = ReliefApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assistance/my/relief/{application.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "待基层工会核实" in page and "26,000.00" in page
    # the worker cannot open the back office, nor another's application
    assert client.get(f"/assistance/relief/{application.pk}/").status_code == 403
    assert client.get("/assistance/my/relief/999999999999999999999999999999/").status_code == 404


def test_lists_detail_scope_and_audit(district, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    relief_programme(district, funding=Decimal("100.00"))
    application = relief_apply(
        actor=district.user("worker_a"),
        person=worker_person(district, name="王秀兰"),
        illness="尿毒症",
        hospital="顺义区医院",
        treatment_start=timezone.localdate(),
        costs={"total_cost": "50000"},
        documents=[pdf()],
    )
    relief_verify(actor=district.user("assist_a"), application=application, opinion="属实")
    relief_approve(actor=district.user("rights"), application=application, opinion="同意")
    rights = login(district.user("rights"))
    listing = rights.get("/assistance/relief/?payment=waiting").content.decode()
    assert "王秀兰" in listing and "尚缺 19,900.00 元" in listing
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW).count()
    detail = rights.get(f"/assistance/relief/{application.pk}/").content.decode()
    assert "尿毒症" in detail and "待资金" in detail and "19,900.00" in detail
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW).count() == before + 1
    assert "尿毒症" not in rights.get("/assistance/relief/?export=xlsx").getvalue().decode("latin-1")
    # town B's officer and the union chair (status only) do not reach it
    assert login(district.user("town_b")).get(f"/assistance/relief/{application.pk}/").status_code in (403, 404)
    assert login(district.user("chair_a")).get("/assistance/relief/").status_code == 403

    # the workbench: the centre sees the waiting relief with the shortfall
    items = {t.key: t for t in todos(district.user("rights"))}
    assert items["relief-waiting-funds"].count == 1 and "19,900.00" in items["relief-waiting-funds"].label
    # the figures link to their rows
    groups = {g.key: g for g in figure_groups()}
    today = timezone.localdate()
    figures = groups["relief"].compute(district.user("rights"), district.root, today.replace(day=1), today)
    assert [f.value for f in figures[:3]] == [1, 1, Decimal("20000.00")]
    assert "payment=waiting" in figures[4].rows_url and figures[4].value == Decimal("20000.00")
    donate(district, "30000.00")
    application.refresh_from_db()
    assert application.cycle is not None
    donations = groups["donations"].compute(district.user("rights"), district.root, today.replace(day=1), today)
    assert donations[2].value == Decimal("30000.00") and "received_from" in donations[2].rows_url


def test_verify_todo_for_the_union_officer(district):
    relief_programme(district)
    relief_apply(
        actor=district.user("worker_a"),
        person=worker_person(district),
        illness="脑出血",
        hospital="顺义区医院",
        treatment_start=timezone.localdate(),
        costs={"total_cost": "50000"},
        documents=[pdf()],
    )
    items = {t.key: t for t in todos(district.user("assist_a"))}
    assert items["relief-verify"].count == 1 and "state=applied" in items["relief-verify"].url
    assert "relief-approve" not in items
