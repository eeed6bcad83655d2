from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.crypto import mask_address, mask_id_number, mask_landline, mask_phone
from core.forms import form_error_text
from core.lists import ListPage
from core.views import add_refusal_message, add_validation_errors, refusal_messages
from members import selectors, services
from members.filtersets import MembershipFilterSet
from members.forms import (
    PERSON_FORM_FIELDS,
    HonourForm,
    ImportUploadForm,
    LeaveForm,
    PersonEditForm,
    RegisterForm,
    TransferForm,
)
from members.importing import write_template
from members.jobs import (
    import_job_confirm,
    import_job_create,
    import_job_interruption_check,
    import_job_rerun,
    job_with_live_progress,
)
from members.models import Honour, ImportJob, Membership, Person
from members.panels import person_panels
from members.tables import MemberTable
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, has_perm, scoped
from orgs.web import perm_required


class MemberList(ListPage):
    """会员名单: the roster (在册 unless asked otherwise), its filters and its xlsx."""

    title = "会员名单"
    noun = "会籍记录"
    table_class = MemberTable
    filterset_class = MembershipFilterSet
    perm = Perm.MEMBER_VIEW
    export_perm = Perm.MEMBER_EXPORT
    filter_defaults = {"status": Membership.Status.ACTIVE}
    # Ordered by union then registration: the planner walks the union path index and each union's
    # rows in index order, so a page costs the same at 300 or 300,000 members (no sort of the lot).
    ordering = ("organisation__path", "pk")
    create = ("members:create", "登记会员", Perm.MEMBER_CHANGE)
    template_name = "members/list.html"
    aside_template = "orgs/_list_tree.html"
    testid = "member-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Membership]:
        return selectors.member_rows(selectors.visible_memberships(request.user, perm))

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"can_import": has_perm(request.user, Perm.MEMBER_IMPORT)}


member_list = MemberList.as_view()


def _unions(user: Any, perm: str = Perm.MEMBER_CHANGE):
    return scoped(
        user,
        perm,
        Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE),
    ).order_by("path")


def _person(request: HttpRequest, pk: int, perm: str = Perm.MEMBER_VIEW) -> Person:
    person = Person.objects.select_related("organisation").filter(pk=pk).first()
    if person is None or not selectors.person_visible(request.user, pk, perm):
        raise Http404("未找到该会员，或您无权查看")
    return person


def _can_pii(user: Any, person: Person) -> bool:
    return person.organisation is not None and can_at(user, Perm.MEMBER_VIEW_PII, person.organisation)


def _can_change(user: Any, person: Person) -> bool:
    return person.organisation is not None and can_at(user, Perm.MEMBER_CHANGE, person.organisation)


def _detail(request: HttpRequest, person: Person, *, revealed: dict[str, str] | None = None) -> HttpResponse:
    """The person's page: only the memberships and change history inside the viewer's scope."""
    memberships, hidden = selectors.person_memberships_visible(request.user, person)
    active = next((m for m in memberships if m.status == Membership.Status.ACTIVE), None)
    can_change = _can_change(request.user, person)
    masked = {
        "id_number": mask_id_number(person.id_number),
        "mobile": mask_phone(person.mobile),
        "phone": mask_landline(person.phone),
        "address": mask_address(person.address),
    }
    response = render(
        request,
        "members/detail.html",
        {
            "person": person,
            "masked": masked,
            "revealed": revealed or {},
            "memberships": memberships,
            "hidden_memberships": hidden,
            "active": active,
            "honours": selectors.person_honours(person),
            "history": selectors.person_history_visible(request.user, person)[:20],
            "can_pii": _can_pii(request.user, person),
            "can_change": can_change,
            "panels": person_panels(request.user, person),
            "honour_form": HonourForm() if can_change else None,
        },
    )
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@perm_required(Perm.MEMBER_VIEW)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _person(request, pk))


@require_POST
@perm_required(Perm.MEMBER_VIEW_PII)
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full value is in this response only (htmx fragment, or the page re-rendered): never in
    a redirect's flash message, which would carry it in the ``messages`` cookie."""
    person = _person(request, pk)
    field = request.POST.get("field", "")
    try:
        value = services.person_reveal(actor=request.user, person=person, field=field, request=request)
    except ValidationError as exc:
        return HttpResponse("；".join(refusal_messages(exc)), status=400)
    if request.htmx:
        response = render(request, "members/_revealed.html", {"value": value or "（空）", "field": field})
        response["Cache-Control"] = "no-store"
        return response
    return _detail(request, person, revealed={field: value or "（空）"})


@perm_required(Perm.MEMBER_CHANGE)
def member_create(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PERSON_FORM_FIELDS}
        try:
            reg = services.member_register(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                joined_on=form.cleaned_data["joined_on"],
                member_no=form.cleaned_data["member_no"],
                data=data,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记会员“{reg.person.name}”，会员编号 {reg.membership.member_no}")
            return redirect("members:detail", pk=reg.person.pk)
    return render(request, "members/form.html", {"form": form, "title": "登记会员"})


@perm_required(Perm.MEMBER_CHANGE)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Masked inputs by default; ``?full=1`` shows the stored values to a holder of the full-view
    permission at the person's union and writes that view to the audit trail."""
    person = _person(request, pk, Perm.MEMBER_CHANGE)
    if not _can_change(request.user, person):
        raise PermissionDenied("该会员已不属于您管理的工会")
    full = request.GET.get("full") == "1"
    if full:
        if request.method == "POST":  # compared with, not shown: no new view to record
            if not _can_pii(request.user, person):
                raise PermissionDenied("您没有查看完整个人信息的权限")
            shown = services.person_pii_shown(person, full=True)
        else:
            try:
                shown = services.person_pii_full_view(actor=request.user, person=person, request=request)
            except PermissionDenied:
                raise PermissionDenied("您没有查看完整个人信息的权限") from None
    else:
        shown = services.person_pii_shown(person, full=False)
    form = PersonEditForm(request.POST or None, instance=Person.objects.get(pk=person.pk), shown=shown)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, data=form.person_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "会员信息已保存")
            return redirect("members:detail", pk=person.pk)
    response = render(
        request,
        "members/form.html",
        {
            "form": form,
            "title": f"编辑会员：{person.name}",
            "person": person,
            "pii_full": full,
            "can_pii": not full and _can_pii(request.user, person),
        },
    )
    if full:
        response["Cache-Control"] = "no-store"
    return response


def _confirm_or_run(request: HttpRequest, form, person: Person, title: str, summary: list[tuple[str, str]], run):
    """Two steps: the filled form shows a confirmation page; its 确认 button runs the change."""
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") == "1":
            try:
                run(form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_validation_errors(form, exc)
            else:
                return redirect("members:detail", pk=person.pk)
        else:
            return render(
                request, "members/confirm.html", {"form": form, "title": title, "person": person, "summary": summary}
            )
    return render(request, "members/form.html", {"form": form, "title": title, "person": person})


@perm_required(Perm.MEMBER_CHANGE)
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Perm.MEMBER_CHANGE)
    if not _can_change(request.user, person):
        raise PermissionDenied("该会员已不属于您管理的工会")
    form = TransferForm(request.POST or None, user=request.user, person=person)
    summary: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid():
        summary = [
            ("会员", person.name),
            ("转出工会", person.organisation.name),
            ("转入工会", form.cleaned_data["to_organisation"].name),
            ("转会日期", f"{form.cleaned_data['on']:%Y-%m-%d}"),
            ("原工会保留", "转会前的会籍记录（状态“已转出”）及其期间的业务记录"),
            ("转入工会取得", "会员档案、荣誉和转会后的全部记录"),
        ]

    def run(data: dict[str, Any]) -> None:
        services.membership_transfer(
            actor=request.user,
            person=person,
            to_organisation=data["to_organisation"],
            on=data["on"],
            reason=data["reason"],
            member_no=data["member_no"],
        )
        messages.success(request, f"“{person.name}”已转入{data['to_organisation'].name}")

    return _confirm_or_run(request, form, person, f"办理转会：{person.name}", summary, run)


@perm_required(Perm.MEMBER_CHANGE)
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Perm.MEMBER_CHANGE)
    if not _can_change(request.user, person):
        raise PermissionDenied("该会员已不属于您管理的工会")
    form = LeaveForm(request.POST or None)
    summary: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid():
        summary = [
            ("会员", person.name),
            ("所属工会", person.organisation.name),
            ("退会日期", f"{form.cleaned_data['on']:%Y-%m-%d}"),
            ("退会原因", form.cleaned_data["reason"]),
        ]

    def run(data: dict[str, Any]) -> None:
        services.membership_leave(actor=request.user, person=person, on=data["on"], reason=data["reason"])
        messages.success(request, f"“{person.name}”已办理退会")

    return _confirm_or_run(request, form, person, f"办理退会：{person.name}", summary, run)


@require_POST
@perm_required(Perm.MEMBER_CHANGE)
def honour_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Perm.MEMBER_CHANGE)
    form = HonourForm(request.POST)
    if form.is_valid():
        try:
            services.honour_add(actor=request.user, person=person, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_refusal_message(request, exc)
        else:
            messages.success(request, "荣誉已添加")
    else:
        messages.error(request, form_error_text(form))
    return redirect("members:detail", pk=person.pk)


@require_POST
@perm_required(Perm.MEMBER_CHANGE)
def honour_remove(request: HttpRequest, pk: int, honour_id: int) -> HttpResponse:
    person = _person(request, pk, Perm.MEMBER_CHANGE)
    honour = get_object_or_404(Honour, pk=honour_id, person=person)
    try:
        services.honour_remove(actor=request.user, honour=honour)
    except (PermissionDenied, ValidationError) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, "荣誉已删除")
    return redirect("members:detail", pk=person.pk)


# --- import -------------------------------------------------------------------------------------


@perm_required(Perm.MEMBER_IMPORT)
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(actor=request.user, uploaded=form.cleaned_data["file"])
        return redirect("members:import_job", job_id=job.pk)
    jobs = [import_job_interruption_check(j) for j in selectors.import_jobs_of(request.user)[:10]]
    return render(request, "members/import.html", {"form": form, "jobs": jobs})


@perm_required(Perm.MEMBER_IMPORT)
def import_template(request: HttpRequest) -> FileResponse:
    import tempfile

    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115  (closed, so deleted, by the response)
    write_template(tmp.name, unions=list(_unions(request.user, Perm.MEMBER_IMPORT)))
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename="会员导入模板.xlsx")


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return get_object_or_404(selectors.import_jobs_of(request.user), pk=job_id)


@perm_required(Perm.MEMBER_IMPORT)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_with_live_progress(_job(request, job_id))
    template = "members/_import_status.html" if request.htmx else "members/import_job.html"
    return render(request, template, {"job": job})


@require_POST
@perm_required(Perm.MEMBER_IMPORT)
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status == ImportJob.Status.PREVIEW:
        import_job_confirm(actor=request.user, job=job)
    elif job.status == ImportJob.Status.FAILED:  # 重新导入 after a system error or an interruption
        import_job_rerun(actor=request.user, job=job)
    else:
        messages.error(request, "该导入任务不在待确认状态")
    return redirect("members:import_job", job_id=job.pk)


@perm_required(Perm.MEMBER_IMPORT)
def import_report(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if not job.report_path or not Path(job.report_path).exists():
        raise Http404("该任务没有错误报告")
    stem = Path(job.file_name).stem
    return FileResponse(open(job.report_path, "rb"), as_attachment=True, filename=f"{stem}-错误报告.xlsx")
