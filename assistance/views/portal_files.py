"""The worker's side of hardship files in the portal (职工之家 › 困难帮扶): apply, add, edit and remove
the household and upload documents while the application awaits verification (not after), follow the
state and every opinion, see the payments. Only their own file (own-records grant)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assistance.forms.files import ApplyForm, DocumentForm
from assistance.models import FileStep, HardshipFile
from assistance.selectors import files as sel
from assistance.selectors.files import mask_account
from assistance.services import files as svc
from assistance.views.files import (
    apply_data,
    document_remove,
    documents_upload,
    household_data,
    household_form,
    household_row_remove,
)
from core.crypto import mask_id_number
from core.views import add_validation_errors
from members.models import Person
from orgs.roles import Perm
from orgs.scope import scoped
from orgs.web import perm_required

# What the worker sees of the way ahead (the steps of an application, in order).
ROAD = (
    (HardshipFile.State.APPLIED, "提交申请"),
    (HardshipFile.State.VERIFIED, "基层工会核实"),
    (HardshipFile.State.REVIEWED, "镇街工会审核"),
    (HardshipFile.State.ACTIVE, "帮扶中心审批"),
)


def _person(request: HttpRequest) -> Person | None:
    return Person.objects.filter(user=request.user).select_related("organisation").first()


def _own_files(request: HttpRequest):
    return scoped(
        request.user, Perm.ASSISTANCE_VIEW, HardshipFile.objects.filter(person__user=request.user)
    ).select_related("organisation", "person")


@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_file(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    files = list(_own_files(request).order_by("-applied_on", "-id")) if person else []
    file = files[0] if files else None
    context: dict[str, Any] = {"person": person, "file": file, "earlier": files[1:], "can_apply": bool(person)}
    if file is not None:
        order = [s for s, _ in ROAD]
        reached = order.index(file.state) if file.state in order else -1
        household = list(file.household.all())
        for m in household:
            m.masked_id = mask_id_number(m.id_number)
        context.update(
            road=[(label, i <= reached) for i, (_, label) in enumerate(ROAD)],
            steps=list(file.steps.exclude(kind=FileStep.Kind.AMEND).select_related("acting_organisation")),
            household=household,
            spans=list(file.verifications.order_by("done_on")),
            payments=list(sel.payments_of(file)[:100]),
            masked_account=mask_account(file.bank_account),
            can_edit=svc.may_edit(request.user, file),
            documents=list(file.documents.all()),
            document_form=DocumentForm(),
            can_apply=bool(person) and file.state not in HardshipFile.OPEN_STATES,
        )
    return render(request, "assistance/portal/my_file.html", context)


@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_apply(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        messages.error(request, "您的账号尚未关联会员档案，请联系所在工会")
        return redirect("assistance:my_file")
    form = ApplyForm(request.POST or None, request.FILES or None, initial={"own_workplace": person.employer})
    if request.method == "POST" and form.is_valid():
        try:
            file = svc.file_apply(actor=request.user, person=person, **apply_data(form.cleaned_data))
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"申请已提交（{file.file_no}），请添加共同生活的家庭成员，等待所在工会核实")
            return redirect("assistance:my_file")
    return render(request, "assistance/portal/apply.html", {"form": form, "title": "申请困难职工建档"})


def _own_file(request: HttpRequest, pk: int) -> HardshipFile:
    file = _own_files(request).filter(pk=pk).first()
    if file is None:
        raise Http404("未找到该档案")
    return file


@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_household(request: HttpRequest, pk: int, member: int | None = None) -> HttpResponse:
    """Add (or, with ``member``, edit) a household line while the application awaits verification."""
    file = _own_file(request, pk)
    if not svc.may_edit(request.user, file):
        messages.error(request, "档案已进入审核，请联系所在工会修改")
        return redirect("assistance:my_file")
    row = None
    if member is not None:
        row = file.household.filter(pk=member).first()
        if row is None:
            raise Http404("未找到该家庭成员")
    form = household_form(request, row)
    if request.method == "POST" and form.is_valid():
        try:
            svc.household_save(actor=request.user, file=file, member=row, data=household_data(form, row))
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"家庭成员已{'修改' if row else '添加'}，人均收入已重新计算")
            return redirect("assistance:my_file")
    title = f"修改家庭成员 {row.name}" if row else "添加家庭成员"
    return render(request, "assistance/portal/apply.html", {"form": form, "title": title})


@require_POST
@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_household_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    household_row_remove(request, _own_file(request, pk), member)
    return redirect("assistance:my_file")


@require_POST
@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_documents_add(request: HttpRequest, pk: int) -> HttpResponse:
    documents_upload(request, _own_file(request, pk))
    return redirect("assistance:my_file")


@require_POST
@perm_required(Perm.ASSISTANCE_APPLY, own_records=True)
def my_document_remove(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    document_remove(request, _own_file(request, pk), doc)
    return redirect("assistance:my_file")
