"""Pages of 大病救助 and 金秋助学: the officers' lists and application pages (step buttons with
confirmation), and the worker's portal pages (apply on a phone, follow, see payments). Thin: reads
through ``assistance.selectors_relief`` (``orgs.scope``), changes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assistance import selectors_relief as sel
from assistance.filtersets_relief import ReliefFilterSet, ScholarshipFilterSet
from assistance.forms_relief import OpinionForm, ReliefForm, ScholarshipForm
from assistance.models import HardshipFile, HouseholdMember, ReliefApplication, ScholarshipApplication
from assistance.models.applications import ApplicationState
from assistance.services import relief as relief_services
from assistance.services import scholarship as scholarship_services
from assistance.tables_relief import ReliefTable, ScholarshipTable
from assistance.views.documents import document_response
from core.audit import audit_log
from core.crypto import mask_id_number
from core.lists import ListPage
from core.models import AuditEvent
from core.money import format_yuan
from core.views import add_refusal_message, add_validation_errors
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import perm_required

S = ApplicationState
office = perm_required(Perm.ASSISTANCE_VIEW)
own_records = perm_required(Perm.ASSISTANCE_APPLY, own_records=True)


# --- officers' lists -------------------------------------------------------------------------------


class ReliefList(ListPage):
    """大病救助申请: every application in the officer's scope, with where its money is."""

    title = "大病救助申请"
    noun = "救助申请"
    unit = "件"
    table_class = ReliefTable
    filterset_class = ReliefFilterSet
    perm = Perm.ASSISTANCE_VIEW
    export_perm = Perm.ASSISTANCE_VIEW
    ordering = ("-applied_on", "-id")
    template_name = "assistance/relief/list.html"
    aside_template = "orgs/_list_tree.html"
    testid = "relief-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[ReliefApplication]:
        return sel.relief_rows(request.user, perm)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"position": relief_services.fund_position()}


class ScholarshipList(ListPage):
    title = "金秋助学申请"
    noun = "助学申请"
    unit = "件"
    table_class = ScholarshipTable
    filterset_class = ScholarshipFilterSet
    perm = Perm.ASSISTANCE_VIEW
    export_perm = Perm.ASSISTANCE_VIEW
    ordering = ("-year", "-applied_on", "-id")
    aside_template = "orgs/_list_tree.html"
    testid = "scholarship-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[ScholarshipApplication]:
        return sel.scholarship_rows(request.user, perm)


relief_list = ReliefList.as_view()
scholarship_list = ScholarshipList.as_view()


# --- application pages ---------------------------------------------------------------------------


def _audit_view(request: HttpRequest, application: Any, what: str) -> None:
    """A whole application (medical facts, household) seen by an officer: written to the audit trail."""
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=request.user,
        request=request,
        obj=application,
        summary=f"查看了{what} {application.number}（{application.person.name}）",
        detail={"application": application.number, "organisation": application.organisation.code},
    )


def _steps_allowed(user: Any, application: Any, plugin_key: str) -> dict[str, bool]:
    district = sel.district_of_programme(plugin_key)
    at_union = can_at(user, Perm.ASSISTANCE_PROCESS, application.organisation)
    at_district = district is not None and can_at(user, Perm.ASSISTANCE_PROCESS, district)
    state = application.state
    own = application.person.user_id == user.pk
    return {
        "verify": state == S.APPLIED and at_union and not own,
        "approve": state == S.VERIFIED
        and at_district
        and user.pk not in (application.verified_by_id, application.applied_by_id)
        and not own,
        "reject": (state == S.APPLIED and at_union) or (state == S.VERIFIED and at_district),
    }


@office
def relief_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.relief_rows(request.user), pk=pk)
    _audit_view(request, application, "大病救助申请")
    allowed = _steps_allowed(request.user, application, "relief")
    quote = None
    if allowed["approve"]:
        try:
            from django.utils import timezone

            quote = relief_services.relief_quote(application, timezone.localdate())
        except ValidationError as exc:
            quote = (None, "；".join(exc.messages))
    return render(
        request,
        "assistance/relief/detail.html",
        {
            "a": application,
            "id_masked": mask_id_number(application.person.id_number or ""),
            "steps": application.steps.select_related("actor", "acting_organisation"),
            "documents": application.documents.all(),
            "payments": sel.relief_payments(application),
            "allowed": allowed,
            "quote": quote,
            "shortfall": relief_services.shortfalls().get(application.pk) if application.waiting_for_funds else None,
            "position": relief_services.fund_position() if application.waiting_for_funds else None,
            "form": OpinionForm(),
        },
    )


@office
def scholarship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.scholarship_rows(request.user), pk=pk)
    _audit_view(request, application, "金秋助学申请")
    return render(
        request,
        "assistance/scholarship/detail.html",
        {
            "a": application,
            "steps": application.steps.select_related("actor", "acting_organisation"),
            "documents": application.documents.all(),
            "payments": sel.scholarship_payments(application),
            "paid": application.number in sel.scholarship_paid_numbers(application.person_id, application.year),
            "allowed": _steps_allowed(request.user, application, "scholarship"),
            "form": OpinionForm(),
        },
    )


ACTIONS = {
    "relief": {
        "verify": (relief_services.relief_verify, "已核实，报帮扶中心审批"),
        "approve": (relief_services.relief_approve, "已审批"),
        "reject": (relief_services.relief_reject, "已作不予通过处理"),
    },
    "scholarship": {
        "verify": (scholarship_services.scholarship_verify, "已核实，报帮扶中心审批"),
        "approve": (scholarship_services.scholarship_approve, "已审批，将在本年度金秋助学发放周期中支付"),
        "reject": (scholarship_services.scholarship_reject, "已作不予通过处理"),
    },
}


def _act(request: HttpRequest, kind: str, application: Any, action: str) -> None:
    if action not in ACTIONS[kind]:
        raise Http404("未知操作")
    service, done = ACTIONS[kind][action]
    try:
        result = service(actor=request.user, application=application, opinion=request.POST.get("opinion", ""))
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
        return
    if kind == "relief" and action == "approve":
        done = f"已审批，核定救助 {format_yuan(result.amount)} 元；{result.payment_status}"
    messages.success(request, done)


@require_POST
@office
def relief_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.relief_rows(request.user), pk=pk)
    _act(request, "relief", application, action)
    return redirect("assistance:relief_detail", pk=application.pk)


@require_POST
@office
def scholarship_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.scholarship_rows(request.user), pk=pk)
    _act(request, "scholarship", application, action)
    return redirect("assistance:scholarship_detail", pk=application.pk)


@perm_required(Perm.ASSISTANCE_VIEW, own_records=True)
def relief_document(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    """Documents are served only to who may see the application (a worker: their own)."""
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.relief_rows(request.user), pk=pk)
    return document_response(request, application, doc, "大病救助申请")


@perm_required(Perm.ASSISTANCE_VIEW, own_records=True)
def scholarship_document(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    application = get_scoped_or_404(request.user, Perm.ASSISTANCE_VIEW, sel.scholarship_rows(request.user), pk=pk)
    return document_response(request, application, doc, "金秋助学申请")


# --- the worker's portal ---------------------------------------------------------------------------


def _my_person(request: HttpRequest) -> Any:
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("您的账号尚未关联会员信息，请联系所在工会")
    return person


def _my_children(person: Any) -> QuerySet[HouseholdMember]:
    return HouseholdMember.objects.filter(
        file__person=person, file__state=HardshipFile.State.ACTIVE, relation=HouseholdMember.Relation.CHILD
    ).order_by("birth_date", "id")


@own_records
def my_relief(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    return render(
        request,
        "assistance/relief/portal_home.html",
        {
            "reliefs": ReliefApplication.objects.filter(person=person).select_related("cycle").order_by("-id"),
            "scholarships": ScholarshipApplication.objects.filter(person=person).order_by("-year", "-id"),
            "has_children": _my_children(person).exists(),
        },
    )


@own_records
def my_relief_new(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    form = ReliefForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            application = relief_services.relief_apply(
                actor=request.user,
                person=person,
                illness=cd["illness"],
                hospital=cd["hospital"],
                treatment_start=cd["treatment_start"],
                treatment_end=cd["treatment_end"],
                costs=form.costs(),
                situation=cd["situation"],
                documents=cd["documents"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已提交大病救助申请，编号 {application.number}，所在工会核实后报帮扶中心审批")
            return redirect("assistance:my_relief_detail", pk=application.pk)
    return render(request, "assistance/relief/portal_form.html", {"form": form, "title": "申请大病救助"})


@own_records
def my_scholarship_new(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    form = ScholarshipForm(request.POST or None, request.FILES or None, children=_my_children(person))
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            application = scholarship_services.scholarship_apply(
                actor=request.user,
                child=cd["child"],
                year=form.year,
                level=cd["level"],
                school=cd["school"],
                grade=cd["grade"],
                documents=cd["documents"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已提交金秋助学申请，编号 {application.number}")
            return redirect("assistance:my_scholarship_detail", pk=application.pk)
    return render(
        request, "assistance/relief/portal_form.html", {"form": form, "title": f"申请 {form.year} 年金秋助学"}
    )


@own_records
def my_relief_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _my_person(request)
    application = get_scoped_or_404(
        request.user, Perm.ASSISTANCE_VIEW, ReliefApplication.objects.filter(person=person), pk=pk
    )
    return render(
        request,
        "assistance/relief/portal_detail.html",
        {
            "a": application,
            "kind": "relief",
            "steps": application.steps.all(),
            "documents": application.documents.all(),
            "payments": sel.relief_payments(application),
        },
    )


@own_records
def my_scholarship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _my_person(request)
    application = get_scoped_or_404(
        request.user, Perm.ASSISTANCE_VIEW, ScholarshipApplication.objects.filter(person=person), pk=pk
    )
    return render(
        request,
        "assistance/relief/portal_detail.html",
        {
            "a": application,
            "kind": "scholarship",
            "steps": application.steps.all(),
            "documents": application.documents.all(),
            "payments": sel.scholarship_payments(application),
        },
    )
