"""Documents on a hardship file and the worker's household in the portal: upload (portal and union),
the list, downloads only for who may see the whole file (scoped, audited), wrong files refused in
Chinese with nothing saved; the worker edits and removes household rows only before verification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.models import HardshipDocument, HardshipFile
from assistance.services import files as svc
from assistance.tests.factories import hardship_file, household_member, local_standard
from assistance.tests.relief_helpers import PDF, pdf
from conftest import make_user
from core.models import AuditEvent
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def applied(district, login):
    """worker_a's application, made in the portal with an income certificate."""
    local_standard(district)
    person = member(district.union_a, name="王职工").person
    person.user = district.user("worker_a")
    person.save()
    data = {
        "own_occupation": "employed",
        "own_income": "1200",
        "own_insurance": "employee",
        "category": "deep",
        "main_cause": "illness",
        "health": "chronic",
        "housing": "rented",
        "monthly_rigid_expenses": "0",
        "document_kind": "income",
        "documents": [pdf("收入证明.pdf")],
    }
    response = login(district.user("worker_a")).post(reverse("assistance:my_apply"), data)
    assert response.status_code == 302, response.content.decode()
    file = HardshipFile.objects.get(person=person)
    child = household_member(file, name="王孩子", monthly_income=Decimal("0.00"))
    svc.household_recompute(file)
    return file, child


def _upload(client, url, *files, kind="medical"):
    return client.post(url, {"document_kind": kind, "documents": list(files)}, follow=True).content.decode()


def test_the_worker_applies_with_a_document_and_sees_it(district, applied, login):
    file, _ = applied
    doc = file.documents.get()
    assert (doc.kind, doc.name, doc.uploaded_by) == ("income", "收入证明.pdf", district.user("worker_a"))
    text = login(district.user("worker_a")).get(reverse("assistance:my_file")).content.decode()
    assert "收入证明.pdf" in text and "收入证明</span>" in text and 'data-testid="document-form"' in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病历.exe", b"MZ\x90\x00", "材料“病历.exe”的类型不允许（可上传 PDF、JPG、PNG）"),
        ("病历.pdf", b"MZ\x90\x00 not a pdf", "材料“病历.pdf”的内容与其类型（.pdf）不符"),
        ("病历.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "材料“病历.pdf”超过 10 MB"),
    ],
)
def test_a_wrong_file_is_refused_in_chinese_and_nothing_is_saved(district, applied, login, name, content, message):
    file, _ = applied
    client = login(district.user("worker_a"))
    text = _upload(client, reverse("assistance:my_documents_add", args=[file.pk]), SimpleUploadedFile(name, content))
    assert message in text
    assert file.documents.count() == 1


def test_the_service_refuses_an_empty_file_and_an_unknown_kind(district, applied):
    file, _ = applied
    worker = district.user("worker_a")
    with pytest.raises(ValidationError, match=r"材料“病历\.png”是空文件"):
        svc.file_documents_add(actor=worker, file=file, documents=[SimpleUploadedFile("病历.png", b"")], kind="medical")
    with pytest.raises(ValidationError, match="请选择材料类别"):
        svc.file_documents_add(actor=worker, file=file, documents=[pdf()], kind="passport")
    assert file.documents.count() == 1


def test_a_wrong_file_at_application_refuses_the_application(district, login):
    local_standard(district)
    person = member(district.union_a, name="王职工").person
    person.user = district.user("worker_a")
    person.save()
    data = {
        "own_occupation": "employed",
        "own_income": "600",
        "own_insurance": "employee",
        "category": "deep",
        "main_cause": "illness",
        "health": "chronic",
        "housing": "rented",
        "monthly_rigid_expenses": "0",
        "documents": [SimpleUploadedFile("低保证.jpg", PDF)],
    }
    text = login(district.user("worker_a")).post(reverse("assistance:my_apply"), data).content.decode()
    assert "材料“低保证.jpg”的内容与其类型（.jpg）不符" in text
    assert not HardshipFile.objects.filter(person=person).exists() and not HardshipDocument.objects.exists()


def test_the_union_uploads_on_the_file_page_and_it_is_recorded(district, applied, login):
    file, _ = applied
    client = login(district.user("assist_a"))
    text = _upload(
        client,
        reverse("assistance:file_documents_add", args=[file.pk]),
        SimpleUploadedFile("残疾证.png", PNG),
        kind="disability",
    )
    assert "已上传材料 1 个" in text and "残疾证.png" in text and "收入证明.pdf" in text
    assert file.steps.filter(kind="amend", opinion__contains="残疾证.png").exists()
    assert _upload(client, reverse("assistance:file_documents_add", args=[file.pk]), kind="income").count(
        "请选择要上传的材料"
    )
    many = [SimpleUploadedFile(f"证明{i}.png", PNG) for i in range(9)]
    assert "证明材料最多 10 个" in _upload(client, reverse("assistance:file_documents_add", args=[file.pk]), *many)
    assert file.documents.count() == 2


def test_after_verification_the_worker_may_not_upload_the_union_may(district, applied, login):
    file, _ = applied
    svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实")
    worker = login(district.user("worker_a"))
    text = _upload(worker, reverse("assistance:my_documents_add", args=[file.pk]), pdf("病历.pdf"))
    assert "档案已进入审核，请联系所在工会修改" in text and 'data-testid="document-form"' not in text
    assert file.documents.count() == 1
    assert "已上传材料 1 个" in _upload(
        login(district.user("assist_a")), reverse("assistance:file_documents_add", args=[file.pk]), pdf("病历.pdf")
    )


def test_downloads_only_for_who_sees_the_whole_file_each_audited(district, applied, login):
    file, _ = applied
    doc = file.documents.get()
    url = reverse("assistance:file_document", args=[file.pk, doc.pk])
    before = AuditEvent.objects.filter(kind="pii_view").count()
    for who in ("rights", "assist_a", "worker_a"):
        response = login(district.user(who)).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    events = AuditEvent.objects.filter(kind="pii_view").order_by("-id")[:3]
    assert AuditEvent.objects.filter(kind="pii_view").count() == before + 3
    assert all(f"{file.file_no}（王职工）的材料“收入证明.pdf”" in e.summary for e in events)
    officer_b = make_user("assist_b")
    role_grant(actor=None, user=officer_b, role=Role.ASSISTANCE_OFFICER, organisation=district.town_b)
    assert login(officer_b).get(url).status_code == 404
    assert login(district.user("chair_a")).get(url).status_code == 403  # status only
    assert (
        login(district.user("rights")).get(reverse("assistance:file_document", args=[file.pk, 10**30])).status_code
        == 404
    )
    other = hardship_file(member(district.union_a, name="另一人").person)
    assert (
        login(district.user("rights")).get(reverse("assistance:file_document", args=[other.pk, doc.pk])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(kind="pii_view").count() == before + 3


def test_the_worker_edits_and_removes_household_rows_before_verification(district, applied, login):
    file, child = applied
    assert (file.household_size, file.income_per_head) == (2, Decimal("600.00"))
    client = login(district.user("worker_a"))
    text = client.get(reverse("assistance:my_file")).content.decode()
    assert 'data-testid="edit-household"' in text and 'data-testid="remove-household"' in text
    edit = reverse("assistance:my_household_edit", args=[file.pk, child.pk])
    assert child.id_number not in client.get(edit).content.decode()  # never sent back whole
    assert client.get(reverse("assistance:my_household_edit", args=[file.pk, 10**30])).status_code == 404
    row = {
        "relation": "child",
        "name": "王孩子",
        "id_number": "",
        "health": "healthy",
        "occupation": "flexible",
        "monthly_income": "300",
        "medical_insurance": "resident",
    }
    assert client.post(edit, row).status_code == 302
    file.refresh_from_db()
    child.refresh_from_db()
    assert child.monthly_income == Decimal("300.00") and file.income_per_head == Decimal("750.00")
    row["monthly_income"] = "NaN"
    assert "月收入" in client.post(edit, row).content.decode()
    child.refresh_from_db()
    assert child.monthly_income == Decimal("300.00")
    own = file.household.get(relation="self")
    text = client.post(reverse("assistance:my_household_remove", args=[file.pk, own.pk]), follow=True).content.decode()
    assert "职工本人不能从家庭成员中删除" in text and file.household.count() == 2
    assert client.post(reverse("assistance:my_household_remove", args=[file.pk, child.pk])).status_code == 302
    file.refresh_from_db()
    assert file.household.count() == 1 and (file.household_size, file.income_per_head) == (1, Decimal("1200.00"))
    assert not file.steps.filter(kind="amend").exists()  # the worker's own application, not yet in the union's hands


def test_after_verification_the_household_is_the_unions(district, applied, login):
    file, child = applied
    svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实")
    client = login(district.user("worker_a"))
    text = client.get(reverse("assistance:my_file")).content.decode()
    assert 'data-testid="edit-household"' not in text and 'data-testid="remove-household"' not in text
    edit = reverse("assistance:my_household_edit", args=[file.pk, child.pk])
    assert client.post(edit, {"name": "改名", "monthly_income": "9000"}).status_code == 302
    response = client.post(reverse("assistance:my_household_remove", args=[file.pk, child.pk]), follow=True)
    assert "档案已进入审核，请联系所在工会修改" in response.content.decode()
    child.refresh_from_db()
    file.refresh_from_db()
    assert (child.name, child.monthly_income, file.household.count()) == ("王孩子", Decimal("0.00"), 2)
    other = hardship_file(member(district.union_a, name="别人").person, state="applied", approved_on=None)
    stranger = household_member(other)
    assert client.get(reverse("assistance:my_household_edit", args=[other.pk, stranger.pk])).status_code == 404
    assert client.post(reverse("assistance:my_household_remove", args=[other.pk, stranger.pk])).status_code == 404
    assert other.household.count() == 1


def test_a_document_is_removed_by_who_may_upload_and_the_union_s_removal_is_recorded(district, applied, login):
    file, _ = applied
    doc = file.documents.get()
    stored = doc.file.path
    worker = login(district.user("worker_a"))
    # before verification the worker removes their own upload; their amendment needs no step
    text = worker.post(reverse("assistance:my_document_remove", args=[file.pk, doc.pk]), follow=True).content.decode()
    assert "已删除材料“收入证明.pdf”" in text and not file.documents.exists()
    assert not Path(stored).exists() and file.steps.count() == 1
    # a 30-digit, an unknown and another file's document: refused, nothing removed
    _upload(worker, reverse("assistance:my_documents_add", args=[file.pk]), pdf("病历.pdf"))
    other = hardship_file(member(district.union_a, name="李职工").person, approved_on=date(2026, 1, 5))
    (foreign,) = svc.file_documents_add(actor=district.user("assist_a"), file=other, documents=[pdf()], kind="medical")
    for bad in (10**30, 999999, foreign.pk):
        response = worker.post(reverse("assistance:my_document_remove", args=[file.pk, bad]), follow=True)
        assert response.status_code == 200 and "未找到该材料，可能已被删除" in response.content.decode(), bad
    assert file.documents.count() == 1 and other.documents.count() == 1
    # an assistance officer of the neighbouring town: 404, nothing removed
    doc = file.documents.get()
    officer_b = make_user("assist_b")
    role_grant(actor=None, user=officer_b, role=Role.ASSISTANCE_OFFICER, organisation=district.town_b)
    remove = reverse("assistance:file_document_remove", args=[file.pk, doc.pk])
    assert login(officer_b).post(remove).status_code == 404 and file.documents.count() == 1
    # after verification only the union removes, and its removal is a step of the file
    svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实")
    text = worker.post(reverse("assistance:my_document_remove", args=[file.pk, doc.pk]), follow=True).content.decode()
    assert 'data-testid="remove-document"' not in text  # refused: the portal offers no removal now
    assert file.documents.count() == 1
    union = login(district.user("assist_a"))
    text = union.post(reverse("assistance:file_document_remove", args=[file.pk, doc.pk]), follow=True).content.decode()
    assert "已删除材料“病历.pdf”" in text and not file.documents.exists()
    assert file.steps.order_by("-id").first().opinion == "删除材料（病历或诊断证明）：病历.pdf"
    assert other.documents.count() == 1
