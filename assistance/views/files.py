"""Back-office pages of hardship files: the list, the status list, the file page with its steps,
application and household forms, and the local standards. Thin: reads through
``assistance.selectors.files`` (scoped), changes through ``assistance.services.files``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assistance.filtersets_files import FileFilterSet
from assistance.forms.files import (
    DocumentForm,
    ExitForm,
    FileForm,
    HouseholdForm,
    OfficerApplyForm,
    StandardForm,
    StepForm,
)
from assistance.models import FileStep, HardshipDocument, HardshipFile, HouseholdMember, LocalStandard
from assistance.selectors import files as sel
from assistance.selectors.files import mask_account
from assistance.services import files as svc
from assistance.tables_files import FileTable, StandardTable, StatusTable
from assistance.views.documents import document_response
from core.crypto import mask_id_number
from core.lists import ListPage
from core.views import add_refusal_message, add_validation_errors
from funds.bank_selectors import payee_account_panel
from members.models import Person
from members.services import id_index
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, scoped
from orgs.web import perm_required

S = HardshipFile.State
FILE_FORM_FIELDS = tuple(FileForm.base_fields)


# --- lists ----------------------------------------------------------------------------------------


class FileList(ListPage):
    """困难职工档案: whole files in the user's scope, by state, category, cause, union, re-verification."""

    title = "困难职工档案"
    noun = "档案"
    unit = "份"
    table_class = FileTable
    filterset_class = FileFilterSet
    perm = Perm.ASSISTANCE_VIEW
    export_perm = Perm.ASSISTANCE_VIEW
    ordering = ("-applied_on", "-id")
    create = ("assistance:file_create", "代为申请建档", Perm.ASSISTANCE_APPLY)
    aside_template = "orgs/_list_tree.html"
    hidden_filters = ("todo",)
    testid = "file-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[HardshipFile]:
        return sel.file_rows(sel.visible_files(request.user, perm))


file_list = FileList.as_view()


class StatusList(ListPage):
    """帮扶档案状态: who has a file and in which state — nothing of its contents (assistance.status)."""

    title = "会员帮扶档案状态"
    noun = "档案"
    unit = "份"
    table_class = StatusTable
    perm = Perm.ASSISTANCE_STATUS
    ordering = ("organisation__path", "person__name", "pk")
    testid = "status-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[HardshipFile]:
        return sel.status_rows(request.user).only("pk", "state", "person__name", "organisation__name")


status_list = StatusList.as_view()


class StandardList(ListPage):
    """低保标准与认定标准, dated; the centre enters a new one beside the list."""

    title = "低保标准与认定标准"
    noun = "标准"
    table_class = StandardTable
    perm = Perm.ASSISTANCE_VIEW
    ordering = ("-effective_from",)
    side_form_title = "录入或修改标准"
    side_form_submit = "保存标准"
    testid = "standard-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[LocalStandard]:
        # District-wide parameters, not scoped data: every holder of assistance.view reads them.
        return LocalStandard.objects.select_related("created_by")

    def side_form(self, request: HttpRequest) -> StandardForm | None:
        district = _district()
        if district is None or not can_at(request.user, Perm.ASSISTANCE_MANAGE, district):
            return None
        return StandardForm(request.POST or None)

    def side_form_save(self, request: HttpRequest, form: StandardForm) -> str:
        data = dict(form.cleaned_data)
        standard = data.pop("standard")
        row = svc.standard_save(actor=request.user, district=_district(), standard=standard, **data)
        done = "已修改" if standard else "已录入"
        return f"{done} {row.effective_from} 起的低保标准 {row.dibao_monthly} 元"


standard_list = StandardList.as_view()


def _district() -> Organisation | None:
    return Organisation.objects.filter(depth=1).order_by("path").first()


# --- the file page ------------------------------------------------------------------------------


def _file(request: HttpRequest, pk: int, perm: str = Perm.ASSISTANCE_VIEW) -> HardshipFile:
    return get_scoped_or_404(request.user, perm, HardshipFile.objects.select_related("person", "organisation"), pk=pk)


def _steps_for(user: Any, file: HardshipFile) -> dict[str, bool]:
    """The steps the page offers: the state machine's answer (source state and level), less the
    decisions this user may not take because they took another (the service refuses them too)."""
    names = {t.name for t in file.get_available_user_state_transitions(user)}
    taken = set(svc._round_steps(file).filter(actor=user).values_list("kind", flat=True))
    own = file.is_own(user)
    fresh = not taken and not own
    return {
        "verify": "t_verify" in names and fresh,
        "review": "t_review" in names and fresh,
        "approve": "t_approve" in names and fresh,
        "reject": "t_reject" in names and fresh,
        "reverify": "t_reverify" in names and not own,
        "exit": "t_exit" in names and not own,
        "edit": svc.may_edit(user, file),
    }


def file_page_context(request: HttpRequest, file: HardshipFile, *, revealed: dict[str, str] | None = None) -> dict:
    user = request.user
    household = list(file.household.all())
    for m in household:
        m.masked_id = mask_id_number(m.id_number)
        m.age = _age(m.birth_date)
    spans = list(file.verifications.select_related("by").order_by("done_on", "id"))
    today = timezone.localdate()
    return {
        "file": file,
        "household": household,
        "spans": spans,
        "lapsed": file.state == S.ACTIVE and not any(s.done_on <= today <= s.valid_until for s in spans),
        "last_valid_until": spans[-1].valid_until if spans else None,
        "steps": list(file.steps.select_related("actor", "acting_organisation")),
        "history": list(file.history.select_related("history_user").order_by("-history_date")[:30]),
        "payments": list(sel.payments_of(file)[:200]),
        "secondary": [
            dict(HardshipFile._meta.get_field("main_cause").choices).get(c, c) for c in file.secondary_causes
        ],
        "masked_account": mask_account(file.bank_account),
        "revealed": revealed or {},
        "can_pii": svc.may_view_pii(user, file),
        "can": _steps_for(user, file),
        "contradiction": _safe_contradiction(file, today),
        "documents": list(file.documents.select_related("uploaded_by")),
        "document_form": DocumentForm(),
        "step_form": StepForm(initial={"on": today}),
        "exit_form": ExitForm(initial={"on": today}),
        "review_org": file.review_organisation(),
        "approve_org": file.approve_organisation(),
        "today": today,
        **payee_account_panel(user, file),
    }


def _age(birth: Any) -> int:
    today = timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _safe_contradiction(file: HardshipFile, on: Any) -> str | None:
    try:
        return svc.category_contradiction(file, on)
    except ValidationError as exc:
        return "；".join(exc.messages)


@perm_required(Perm.ASSISTANCE_VIEW)
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(request, pk)
    svc.file_view_audit(actor=request.user, file=file, request=request)
    response = render(request, "assistance/files/detail.html", file_page_context(request, file))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW_PII)
def file_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """A whole ID or account number, in this response only (never in a flash message or redirect)."""
    file = _file(request, pk)
    field = request.POST.get("field", "")
    member = None
    if field == "id_number":
        member = file.household.filter(pk=_int(request.POST.get("member"))).first()
        if member is None:
            raise Http404("未找到该家庭成员")
    try:
        value = svc.file_reveal(actor=request.user, file=file, field=field, member=member, request=request)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400)
    key = f"id-{member.pk}" if member else field
    if request.htmx:
        response = render(request, "members/_revealed.html", {"value": value or "（空）", "field": key})
    else:
        response = render(
            request, "assistance/files/detail.html", file_page_context(request, file, revealed={key: value or "（空）"})
        )
    response["Cache-Control"] = "no-store"
    return response


def _int(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


STEP_DONE = {
    "verify": "已核实，报送镇街工会审核",
    "review": "已审核，报送区帮扶中心审批",
    "approve": "已审批建档",
    "reject": "已作出不予通过的决定",
    "reverify": "已完成年度复核",
    "exit": "已办理解困脱困",
}


@require_POST
@perm_required(Perm.ASSISTANCE_PROCESS)
def file_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    file = _file(request, pk)
    if action not in STEP_DONE:
        raise Http404("未知操作")
    form = ExitForm(request.POST) if action == "exit" else StepForm(request.POST)
    user = request.user
    try:
        if not form.is_valid():
            raise ValidationError("；".join(e for errs in form.errors.values() for e in errs))
        cd = form.cleaned_data
        if action == "verify":
            svc.file_verify(actor=user, file=file, opinion=cd["opinion"])
        elif action == "review":
            svc.file_review(actor=user, file=file, opinion=cd["opinion"])
        elif action == "approve":
            svc.file_approve(actor=user, file=file, opinion=cd["opinion"], on=cd.get("on"))
        elif action == "reject":
            svc.file_reject(actor=user, file=file, reason=cd["opinion"])
        elif action == "reverify":
            svc.file_reverify(actor=user, file=file, opinion=cd["opinion"], on=cd.get("on"))
        else:
            svc.file_exit(actor=user, file=file, reason=cd["reason"], on=cd["on"], note=cd.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, STEP_DONE[action])
    return redirect("assistance:file_detail", pk=file.pk)


# --- application, edit, household ---------------------------------------------------------------


def apply_data(cd: dict[str, Any]) -> dict[str, Any]:
    """``file_apply``'s arguments from an application form: the file's fields, the worker's own line
    of the household, the documents."""
    own = svc.SelfDetails(
        health=cd["health"],
        occupation=cd["own_occupation"],
        workplace_or_school=cd.get("own_workplace", ""),
        monthly_income=cd["own_income"],
        medical_insurance=cd["own_insurance"],
    )
    return {
        "data": {k: cd[k] for k in FILE_FORM_FIELDS if k in cd},
        "own": own,
        "documents": cd.get("documents") or [],
        "document_kind": cd.get("document_kind") or HardshipDocument.Kind.OTHER,
    }


@perm_required(Perm.ASSISTANCE_APPLY)
def file_create(request: HttpRequest) -> HttpResponse:
    """代为申请建档: an officer applies for a member of their scope, found by ID number."""
    initial: dict[str, Any] = {}
    preset = _int(request.GET.get("person"))
    if preset:
        person = get_scoped_or_404(request.user, Perm.ASSISTANCE_APPLY, Person.objects.all(), pk=preset)
        initial["member_id_number"] = person.id_number
    form = OfficerApplyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        person = _member_by_id(request.user, cd["member_id_number"])
        if person is None:
            form.add_error("member_id_number", "在您管理范围内没有找到身份证号为此号码的会员")
        else:
            try:
                file = svc.file_apply(actor=request.user, person=person, **apply_data(cd))
            except (ValidationError, PermissionDenied) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已提交建档申请 {file.file_no}，请继续录入家庭成员")
                return redirect("assistance:file_detail", pk=file.pk)
    return render(request, "assistance/files/form.html", {"form": form, "title": "代为申请建档", "file": None})


def _member_by_id(user: Any, number: str) -> Person | None:
    text = "".join((number or "").split()).upper()
    if len(text) != 18:
        return None
    return scoped(user, Perm.ASSISTANCE_APPLY, Person.objects.all()).filter(id_number_index=id_index(text)).first()


@perm_required(Perm.ASSISTANCE_VIEW)
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(request, pk)
    if not svc.may_edit(request.user, file):
        raise PermissionDenied("您无权修改此档案")
    initial = {f: getattr(file, f) for f in FILE_FORM_FIELDS}
    initial["bank_account"] = ""  # never sent to the browser: typed again to change it
    form = FileForm(request.POST or None, initial=initial)
    form.fields["bank_account"].help_text = f"当前：{mask_account(file.bank_account) or '未填写'}；留空则不修改"
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "bank_account" or v}
        try:
            svc.file_update(actor=request.user, file=file, data=data)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "档案已修改")
            return redirect("assistance:file_detail", pk=file.pk)
    return render(
        request, "assistance/files/form.html", {"form": form, "title": f"修改档案 {file.file_no}", "file": file}
    )


@perm_required(Perm.ASSISTANCE_VIEW)
def household_edit(request: HttpRequest, pk: int, member: int | None = None) -> HttpResponse:
    file = _file(request, pk)
    if not svc.may_edit(request.user, file):
        raise PermissionDenied("您无权修改此档案")
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
            messages.success(request, "家庭成员已保存，人均收入已重新计算")
            return redirect("assistance:file_detail", pk=file.pk)
    title = f"{'修改' if row else '添加'}家庭成员 · {file.file_no}"
    return render(request, "assistance/files/form.html", {"form": form, "title": title, "file": file})


def household_form(request: HttpRequest, row: HouseholdMember | None) -> HouseholdForm:
    """The form of one household line; an existing line's ID number is never sent whole: left
    blank, it is kept."""
    initial = {f: getattr(row, f) for f in HouseholdForm.base_fields if f != "id_number"} if row else {}
    form = HouseholdForm(request.POST or None, initial=initial)
    if row is not None:
        form.fields["id_number"].required = False
        form.fields["id_number"].help_text = f"当前：{mask_id_number(row.id_number)}；留空则不修改"
        if row.relation == HouseholdMember.Relation.SELF:
            form.fields["relation"].choices = HouseholdMember.Relation.choices[:1]
    return form


def household_data(form: HouseholdForm, row: HouseholdMember | None) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if row is not None and not data.get("id_number"):
        data.pop("id_number")
    return data


def household_row_remove(request: HttpRequest, file: HardshipFile, member: int) -> None:
    """Remove one household line of ``file`` (the union's page and the portal), the outcome as a message."""
    row = file.household.filter(pk=member).first()
    if row is None:
        raise Http404("未找到该家庭成员")
    try:
        svc.household_remove(actor=request.user, member=row)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, f"已删除家庭成员 {row.name}，人均收入已重新计算")


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
def household_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    file = _file(request, pk)
    household_row_remove(request, file, member)
    return redirect("assistance:file_detail", pk=file.pk)


# --- documents ---------------------------------------------------------------------------------


def documents_upload(request: HttpRequest, file: HardshipFile) -> None:
    """上传材料 from the file page or the portal; the refusal (naming the file) as a message."""
    form = DocumentForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError("；".join(e for errs in form.errors.values() for e in errs))
        saved = svc.file_documents_add(
            actor=request.user,
            file=file,
            documents=form.cleaned_data["documents"],
            kind=form.cleaned_data["document_kind"],
        )
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, f"已上传材料 {len(saved)} 个")


def document_remove(request: HttpRequest, file: HardshipFile, doc: int) -> None:
    """Remove one document of ``file`` (the union's page and the portal), the outcome as a message."""
    try:
        removed = svc.file_document_remove(actor=request.user, file=file, document_id=doc)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, f"已删除材料“{removed.name}”")


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
def file_document_remove(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    file = _file(request, pk)
    document_remove(request, file, doc)
    return redirect("assistance:file_detail", pk=file.pk)


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
def file_documents_add(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(request, pk)
    documents_upload(request, file)
    return redirect("assistance:file_detail", pk=file.pk)


@perm_required(Perm.ASSISTANCE_VIEW, own_records=True)
def file_document(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    """A document, to who may see the whole file (the worker: their own, from the portal); audited."""
    return document_response(request, _file(request, pk), doc, "困难职工档案")


KIND_LABELS = dict(FileStep.Kind.choices)
