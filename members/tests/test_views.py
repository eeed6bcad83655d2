from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings

from core.models import AuditEvent
from members import fake
from members.models import ImportJob, Membership, Person
from members.tests.factories import member
from members.tests.xlsx_helpers import read_sheet, row, write_rows
from orgs.roles import Perm
from orgs.testing import (
    API_DETAIL,
    API_LIST,
    DETAIL,
    EXPORT,
    LIST,
    ScopedRoute,
    check_route,
    count_queries,
    load_budgets,
    pk_of,
)

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def roster(district):
    a = member(district.union_a, name="甲会员")
    b = member(district.union_b, name="乙会员")
    a.person.user = district.user("worker_a")
    a.person.save()
    return a, b


ROUTES = [
    ScopedRoute("member list", LIST, Perm.MEMBER_VIEW, lambda m: "/members/", lambda m: m.member_no),
    ScopedRoute("member search", LIST, Perm.MEMBER_VIEW, lambda m: "/members/?q=会员", lambda m: m.member_no),
    ScopedRoute("member detail", DETAIL, Perm.MEMBER_VIEW, lambda m: f"/members/{m.person_id}/"),
    ScopedRoute("member export", EXPORT, Perm.MEMBER_EXPORT, lambda m: "/members/?export=xlsx", lambda m: m.member_no),
    ScopedRoute("api member list", API_LIST, Perm.MEMBER_VIEW, lambda m: "/api/v1/members/", lambda m: m.member_no),
    ScopedRoute("api member detail", API_DETAIL, Perm.MEMBER_VIEW, lambda m: f"/api/v1/members/{m.pk}/"),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_scope_matrix(client, district, roster, route):
    a, b = roster
    inside = {"admin": a, "org_dept": b, "rights": a, "econ": b, "auditor": a, "town_a": a, "chair_a": a,
              "social_a": a, "worker_a": a, "finance": a, "women": a, "youth": a}  # fmt: skip
    outside = {"town_a": b, "town_b": a, "chair_a": b, "social_a": b, "worker_a": b}
    failures = check_route(client, district, route, inside=inside, outside=outside)
    assert failures == []


def test_pii_masked_in_list_detail_export_api(client, district, roster):
    a, _ = roster
    client.force_login(district.user("admin"))
    full_id, full_mobile = a.person.id_number, a.person.mobile
    pages = [
        client.get("/members/").content.decode(),
        client.get(f"/members/{a.person_id}/").content.decode(),
        client.get("/api/v1/members/").content.decode(),
        "\n".join(
            str(c) for r in read_sheet(b"".join(client.get("/members/?export=xlsx").streaming_content)) for c in r
        ),
    ]
    for text in pages:
        assert full_id not in text and full_mobile not in text
        assert full_id[:6] + "********" + full_id[-4:] in text
    assert AuditEvent.objects.filter(kind="export").count() == 1


def test_reveal_is_post_scoped_and_audited(client, district, roster):
    a, b = roster
    client.force_login(district.user("rights"))
    assert client.get(f"/members/{a.person_id}/reveal/").status_code == 405
    r = client.post(f"/members/{a.person_id}/reveal/", {"field": "id_number"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and a.person.id_number in r.content.decode()
    ev = AuditEvent.objects.get(kind="pii_view")
    assert ev.username == "rights" and "甲会员" in ev.summary
    client.force_login(district.user("chair_a"))  # no PII permission
    assert client.post(f"/members/{a.person_id}/reveal/", {"field": "id_number"}).status_code == 403
    client.force_login(district.user("town_a"))
    assert client.post(f"/members/{b.person_id}/reveal/", {"field": "id_number"}).status_code == 403


def test_search_by_exact_id_phone_member_no_and_filters(client, district, roster):
    a, b = roster
    member(district.union_a, is_migrant_worker=True, name="丙农民工")
    client.force_login(district.user("admin"))
    for q in (a.person.id_number.lower(), a.person.mobile[:3] + " " + a.person.mobile[3:], a.member_no):
        body = client.get("/members/", {"q": q}).content.decode()
        assert a.member_no in body and b.member_no not in body, q
    body = client.get("/members/", {"subtree": "T-B"}).content.decode()
    assert b.member_no in body and a.member_no not in body
    body = client.get("/members/", {"migrant": "true"}).content.decode()
    assert "丙农民工" in body and "甲会员" not in body
    assert "甲会员" not in client.get("/members/", {"join_year": "2019"}).content.decode()
    assert "甲会员" in client.get("/members/", {"join_year": "2020"}).content.decode()
    from members.services import honour_add

    honour_add(actor=None, person=b.person, title="craftsman", level="district", awarded_on=date(2024, 1, 1))
    body = client.get("/members/", {"honour": "craftsman"}).content.decode()
    assert "乙会员" in body and "甲会员" not in body
    # a subtree code outside the caller's scope shows nothing extra
    client.force_login(district.user("town_a"))
    assert "乙会员" not in client.get("/members/", {"subtree": "T-B"}).content.decode()


def test_create_edit_transfer_leave_pages(client, district):
    client.force_login(district.user("town_a"))
    new_id = fake.id_number(777)
    data = {"organisation": pk_of("T-A-1"), "joined_on": "2024-03-01", "name": "新会员", "id_number": new_id,
            "mobile": "13900001234", "ethnicity": "汉族"}  # fmt: skip
    bad = client.post("/members/new/", {**data, "id_number": new_id[:-1] + "0" if new_id[-1] != "0" else "1"})
    assert bad.status_code == 200 and "校验位" in bad.content.decode()
    r = client.post("/members/new/", data)
    person = Person.objects.get(name="新会员")
    assert r.status_code == 302 and r["Location"] == f"/members/{person.pk}/"
    r = client.post(f"/members/{person.pk}/edit/", {**data, "employer": "顺鑫"})
    assert r.status_code == 302 and Person.objects.get(pk=person.pk).employer == "顺鑫"
    # transfer: first a confirmation page, then the change
    r = client.post(f"/members/{person.pk}/transfer/", {"to_organisation": pk_of("T-A-2"), "on": "2025-01-01"})
    assert r.status_code == 200 and "请确认" in r.content.decode() and "原工会保留" in r.content.decode()
    assert Membership.objects.get(person=person).status == "active"
    r = client.post(
        f"/members/{person.pk}/transfer/", {"to_organisation": pk_of("T-A-2"), "on": "2025-01-01", "confirmed": "1"}
    )
    assert r.status_code == 302
    assert list(Membership.objects.filter(person=person).order_by("pk").values_list("status", flat=True)) == [
        "transferred",
        "active",
    ]
    # a union outside the officer's scope cannot be chosen
    r = client.post(
        f"/members/{person.pk}/transfer/", {"to_organisation": pk_of("T-B-1"), "on": "2025-02-01", "confirmed": "1"}
    )
    assert (
        r.status_code == 200
        and Membership.objects.filter(person=person, status="active").get().organisation.code == "T-A-2"
    )
    r = client.post(f"/members/{person.pk}/leave/", {"on": "2025-06-01", "reason": "离职", "confirmed": "1"})
    assert r.status_code == 302 and not Membership.objects.filter(person=person, status="active").exists()
    detail = client.get(f"/members/{person.pk}/").content.decode()
    assert "已转出" in detail and "已退会" in detail and "离职" in detail


def test_other_union_cannot_change(client, district, roster):
    _, b = roster
    client.force_login(district.user("town_a"))
    assert client.get(f"/members/{b.person_id}/edit/").status_code == 404
    assert (
        client.post(f"/members/{b.person_id}/leave/", {"on": "2025-01-01", "reason": "x", "confirmed": "1"}).status_code
        == 404
    )
    client.force_login(district.user("econ"))  # sees but may not change
    assert client.get(f"/members/{b.person_id}/edit/").status_code == 403


@override_settings(TASKS=IMMEDIATE)
def test_import_flow_through_jobs(client, district, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(district.user("chair_a"))
    template = client.get("/members/import/template/")
    assert template.status_code == 200
    assert read_sheet(b"".join(template.streaming_content))[0][0] == "姓名*"
    rows = [
        row("张伟", fake.id_number(901), "T-A-1"),
        row("李娜", "123", "T-A-1"),
        row("王芳", fake.id_number(903), "T-B-1"),
    ]
    path = write_rows(tmp_path / "名单.xlsx", rows)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/members/import/", {"file": io.BytesIO(path.read_bytes()) and path.open("rb")})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.status == "invalid" and job.counts["errors"] == 2
    page = client.get(f"/members/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "第 3 行" in page and "不在您的管理范围内" in page and "hx-trigger" not in page
    report = read_sheet(b"".join(client.get(f"/members/import/{job.pk}/report/").streaming_content))
    assert report[0][-1] == "错误说明" and "身份证" in report[2][-1]
    assert client.post(f"/members/import/{job.pk}/confirm/").status_code == 302
    assert not Person.objects.exists()
    # fixed file: preview, then confirm
    rows[1][1] = fake.id_number(902)
    rows[2][2] = "T-A-1"
    path = write_rows(tmp_path / "名单2.xlsx", rows)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": path.open("rb")})
    job = ImportJob.objects.latest("pk")
    assert job.status == "preview" and job.counts["new"] == 3 and not Person.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/members/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and Person.objects.count() == 3
    assert AuditEvent.objects.filter(kind="import").exists()
    # jobs are private to their uploader
    client.force_login(district.user("town_a"))
    assert client.get(f"/members/import/{job.pk}/").status_code == 404


@override_settings(TASKS=IMMEDIATE)
def test_a_job_whose_worker_died_is_failed_and_can_be_rerun(
    client, district, tmp_path, settings, django_capture_on_commit_callbacks
):
    """A job left 导入中 by a worker that died (nobody holds its lease) is shown failed with why, once;
    重新导入 writes it. A job whose worker is alive (the lease held) stays 导入中. The kill itself, with
    the real worker, is core/tests/test_worker_kills.py."""
    from core.leases import job_lease
    from members.jobs import _lease

    settings.MEDIA_ROOT = tmp_path
    chair = district.user("chair_a")
    client.force_login(chair)
    path = write_rows(tmp_path / "名单.xlsx", [row("张伟", fake.id_number(911), "T-A-1")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": path.open("rb")})
    job = ImportJob.objects.get()
    assert job.status == "preview"
    ImportJob.objects.filter(pk=job.pk).update(status="importing", stage="写入新会员")  # what a killed worker leaves
    with job_lease(_lease(job.pk)):  # a live worker: nothing changes
        page = client.get(f"/members/import/{job.pk}/").content.decode()
        assert "导入中" in page and ImportJob.objects.get(pk=job.pk).status == "importing"
    page = client.get(f"/members/import/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "导入中断" in job.message and "重新导入" in page
    assert "会员名单没有变化" in page
    assert "· 失败" in client.get("/members/import/").content.decode()  # the list of recent jobs too
    assert not Person.objects.exists()
    client.force_login(district.user("town_a"))  # only the uploader reruns it
    assert client.post(f"/members/import/{job.pk}/confirm/").status_code == 404
    client.force_login(chair)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/members/import/{job.pk}/confirm/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.count() == 1


@override_settings(TASKS=IMMEDIATE)
def test_upload_of_renamed_file(client, district, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(district.user("chair_a"))
    fake_file = tmp_path / "名单.xlsx"
    fake_file.write_bytes(b"%PDF-1.4 not a workbook")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": fake_file.open("rb")})
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "不是有效的 Excel" in job.message


BUDGETS = load_budgets(__file__)


@pytest.mark.parametrize("key", sorted(BUDGETS))
def test_query_budget_constant(client, district, key):
    def urls():
        a = Membership.objects.filter(organisation=district.union_a).first()
        return {
            "list": "/members/",
            "list_search_id": f"/members/?q={a.person.id_number}",
            "detail": f"/members/{a.person_id}/",
            "api_list": "/api/v1/members/",
            "api_detail": f"/api/v1/members/{a.pk}/",
        }

    client.force_login(district.user("town_a"))
    counts = []
    for target in (30, 300):
        while Membership.objects.count() < target:
            member(district.union_a if Membership.objects.count() % 2 else district.firm_a)
        client.get(urls()[key])  # warm up process-wide caches (e.g. the calendar warning)
        n, response = count_queries(client, urls()[key])
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS[key], counts


def test_no_role_means_no_member_pages(client, district, roster):
    a, _ = roster
    client.force_login(district.user("nobody"))
    for url in (
        "/members/",
        f"/members/{a.person_id}/",
        "/members/?export=xlsx",
        "/members/import/",
        "/api/v1/members/",
    ):
        assert client.get(url).status_code == 403, url


def test_write_progress_is_visible_while_importing(client, district, tmp_path):
    from core.leases import job_lease
    from members.jobs import _lease, progress_file_write

    job = ImportJob.objects.create(
        created_by=district.user("chair_a"),
        file_name="x.xlsx",
        stored_path=str(tmp_path / "x.xlsx"),
        status="importing",
    )
    progress_file_write(job, 42, "写入会籍")
    client.force_login(district.user("chair_a"))
    with job_lease(_lease(job.pk)):  # its worker alive
        page = client.get(f"/members/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "42%" in page and "写入会籍" in page and 'hx-trigger="every 1s"' in page
