"""Officer pages of the closed loop: workbench list, detail with action forms, rates, liaison coverage,
notifications. Thin: every read through appeals.selectors (orgs.scope), every change through services.

Everything here is the back office (``@back_office``: the ``appeals.office`` action, which workers never
hold), except the two doors the worker portal shares: the attachment download (a worker: their own
requests) and the notification list (one's own notifications)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appeals import selectors, services
from appeals.filtersets import AppealFilterSet
from appeals.forms import (
    AnchorForm,
    AttachForm,
    FeedbackForm,
    InternalNoteForm,
    LiaisonAssignForm,
    NoteForm,
    OfficerAppealForm,
    RateForm,
    ReasonForm,
    ReferForm,
    ResultForm,
)
from appeals.models import Appeal, Category, Referral
from appeals.tables import AppealTable
from core.forms import DATE_MAX, DATE_MIN, ID_MAX, finite_decimal, form_error_text, ids_from
from core.lists import ListPage
from core.models import Notification, User
from core.replica import heavy_read_view
from core.views import add_refusal_message, add_validation_errors, paginate, query_without
from orgs.models import Organisation
from orgs.roles import Perm, ScopeMode
from orgs.scope import can_at, get_scoped_or_404, grants_with, is_portal_user
from orgs.web import audited_export, perm_required

S = Appeal.State

# The gate of every back-office page; rows inside are read through selectors.office_appeals.
back_office = perm_required(Perm.APPEAL_OFFICE)


def _appeal(request: HttpRequest, pk: int) -> Appeal:
    return get_scoped_or_404(
        request.user,
        Perm.APPEAL_OFFICE,
        Appeal.objects.select_related(
            "organisation", "category", "worker", "liaison", "lead_handler_org", "registered_by"
        ),
        pk=pk,
    )


def _anchor_org(request: HttpRequest, perm: str = Perm.APPEAL_OFFICE) -> Organisation:
    """The organisation a summary page is about: ?org=<code> inside the caller's scope, else their top grant."""
    code = (request.GET.get("org") or "").strip()
    if code:
        return get_scoped_or_404(request.user, perm, Organisation.objects.all(), code=code)
    grants = [g for g in grants_with(request.user, perm) if g.mode != ScopeMode.SELF]
    if not grants:
        raise PermissionDenied("您没有可统计的组织范围")
    top = min(grants, key=lambda g: (len(g.path), g.path))
    return Organisation.objects.get(pk=top.organisation_id)


# --- workbench list ---------------------------------------------------------------------------


class AppealList(ListPage):
    """诉求工作台: the back office's requests, filtered (also by the rates page's drill-down links)."""

    title = "诉求工作台"
    noun = "诉求"
    unit = "件"
    table_class = AppealTable
    filterset_class = AppealFilterSet
    perm = Perm.APPEAL_OFFICE
    export_perm = Perm.APPEAL_OFFICE
    # The drill-down filters of the rates and liaison pages: reached by links, shown as chips.
    hidden_filters = ("unit", "handler", "liaison", "metric")
    ordering = ("-registered_at", "-id")
    create = ("appeals:create", "登记诉求", Perm.APPEAL_HANDLE)
    template_name = "appeals/list.html"
    aside_template = "orgs/_list_tree.html"
    testid = "appeal-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Appeal]:
        return selectors.appeal_list_qs(request.user, perm)

    def may_create(self, request: HttpRequest) -> bool:
        return selectors.can_register(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        metric = request.GET.get("metric", "")
        return {"metric_label": selectors.METRICS.get(metric, ("",))[0] if metric else ""}


appeal_list = AppealList.as_view()


# --- intake by an officer -----------------------------------------------------------------------


@back_office
@perm_required(Perm.APPEAL_HANDLE)
def appeal_create(request: HttpRequest) -> HttpResponse:
    form = OfficerAppealForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            appeal = services.appeal_register(
                actor=request.user,
                organisation=cd["organisation"],
                category=cd["category"],
                channel=cd["channel"],
                title=cd["title"],
                description=cd["description"],
                anonymous=cd["anonymous"],
                third_party=cd["third_party"],
                reporter_name=cd["reporter_name"],
                contact_phone=cd["contact_phone"],
                preferred_contact=cd["preferred_contact"],
                files=cd["attachments"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记诉求 {appeal.number}，联系时限 {appeal.contact_deadline:%Y-%m-%d}")
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/form.html", {"form": form, "title": "登记诉求（热线/来访/走访）"})


# --- detail and actions -------------------------------------------------------------------------


def _handler_choices(appeal: Appeal) -> Any:
    """Handling organisations for a referral: the request's own union, its ancestors, and partners."""
    org = appeal.organisation
    ancestor_paths = [org.path[: i * org.steplen] for i in range(1, org.depth + 1)]
    root = org.path[: org.steplen]
    return (
        Organisation.objects.filter(
            Q(path__in=ancestor_paths) | (Q(kind__in=Organisation.PARTNER_KINDS) & Q(path__startswith=root))
        )
        .filter(status=Organisation.Status.ACTIVE)
        .order_by("path")
    )


def _steps(user: Any, row: Appeal | Referral) -> set[str]:
    """The steps this user may take on the row now: the state machine's own answer (source states
    and permission of each transition), so the page offers exactly what the service accepts."""
    return {t.name for t in row.get_available_user_state_transitions(user)}


def _actions(user: Any, appeal: Appeal, referrals: list[Referral]) -> dict[str, Any]:
    steps = _steps(user, appeal)
    ref_actions = {}
    for r in referrals:
        ref_steps = _steps(user, r)
        if ref_steps:
            ref_actions[r.pk] = {
                "accept": "t_accept" in ref_steps,
                "complete": "t_done" in ref_steps,
                "return": "t_return" in ref_steps,
            }
    return {
        "officer": can_at(user, Perm.APPEAL_HANDLE, appeal.organisation),
        "contact": "t_contact" in steps,
        "note": "t_note" in steps,
        "refer": "t_refer" in steps,
        "feedback": "t_feedback" in steps,
        "rate": "t_rate" in steps,
        "invalid": "t_invalidate" in steps,
        "attach": "t_attach" in steps,
        "referrals": ref_actions,
    }


@back_office
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal(request, pk)
    referrals = list(
        appeal.referrals.select_related("handler_org", "assigned_by").order_by("round", "assigned_at", "id")
    )
    actions = _actions(request.user, appeal, referrals)
    for r in referrals:
        r.acts = actions["referrals"].get(r.pk)
    suggestion = services.suggest_handler(appeal) if actions["refer"] else None
    handlers = _handler_choices(appeal) if actions["refer"] else None
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "referrals": referrals,
            "timeline": list(selectors.timeline_internal(appeal)),
            "attachments": list(appeal.attachments.all()),
            "a": actions,
            "suggestion": suggestion,
            "contact_form": NoteForm(),
            "note_form": InternalNoteForm(),
            "refer_form": ReferForm(
                handlers=handlers, initial={"lead": suggestion, "deadline": appeal.handling_deadline}
            ),
            "feedback_form": FeedbackForm(),
            "rate_form": RateForm(),
            "reason_form": ReasonForm(),
            "result_form": ResultForm(),
            "attach_form": AttachForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@back_office
def appeal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appeal = _appeal(request, pk)
    user = request.user
    post = request.POST
    try:
        if action == "contact":
            services.appeal_contact(actor=user, appeal=appeal, note=post.get("note", ""))
            done = "已记录联系情况（沟通）"
        elif action == "note":
            services.appeal_note(actor=user, appeal=appeal, note=post.get("note", ""), public=bool(post.get("public")))
            done = "已添加沟通记录"
        elif action == "refer":
            form = ReferForm(post, handlers=_handler_choices(appeal))
            if not form.is_valid():
                raise ValidationError(form_error_text(form))
            cd = form.cleaned_data
            services.appeal_refer(
                actor=user,
                appeal=appeal,
                lead=cd["lead"],
                co_handlers=list(cd["co_handlers"]),
                deadline=cd["deadline"],
                instructions=cd["instructions"],
            )
            done = "已转办（协调）"
        elif action == "feedback":
            services.appeal_feedback(
                actor=user, appeal=appeal, result=post.get("result", ""), resolved=bool(post.get("resolved"))
            )
            done = "已反馈办理结果，等待职工评价"
        elif action == "rate":
            services.appeal_rate(
                actor=user, appeal=appeal, rating=post.get("rating", ""), comment=post.get("comment", "")
            )
            done = "已记录评价"
        elif action == "invalid":
            services.appeal_mark_invalid(actor=user, appeal=appeal, reason=post.get("reason", ""))
            done = "已标记为无效诉求"
        elif action == "attach":
            form = AttachForm(post, request.FILES)
            if not form.is_valid():
                raise ValidationError("请选择要上传的附件")
            services.attachment_add(actor=user, appeal=appeal, files=form.cleaned_data["attachments"])
            done = "附件已上传"
        else:
            raise Http404("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("appeals:detail", pk=appeal.pk)


@require_POST
@back_office
@perm_required(Perm.APPEAL_HANDLE)
def referral_action(request: HttpRequest, pk: int, ref: int, action: str) -> HttpResponse:
    appeal = _appeal(request, pk)
    referral = appeal.referrals.select_related("handler_org").filter(pk=ref).first()
    if referral is None:
        raise Http404("未找到该转办")
    try:
        if action == "accept":
            services.referral_accept(actor=request.user, referral=referral)
            done = "已受理"
        elif action == "complete":
            services.referral_complete(actor=request.user, referral=referral, result=request.POST.get("result", ""))
            done = "已填写办理情况"
        elif action == "return":
            services.referral_return(actor=request.user, referral=referral, reason=request.POST.get("reason", ""))
            done = "已退回"
        else:
            raise Http404("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("appeals:detail", pk=appeal.pk)


@perm_required(Perm.APPEAL_VIEW, own_records=True)
def attachment_download(request: HttpRequest, pk: int, att: int) -> FileResponse:
    """Attachments are served only to users who may see the request (worker: their own)."""
    appeal = get_scoped_or_404(request.user, Perm.APPEAL_VIEW, Appeal.objects.all(), pk=pk)
    attachment = appeal.attachments.filter(pk=att).first()
    if attachment is None:
        raise Http404("未找到该附件")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件已丢失") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


# --- rates --------------------------------------------------------------------------------------


def _rate_filter(request: HttpRequest) -> tuple[selectors.RateFilter, dict[str, Any], list[str]]:
    errors: list[str] = []
    values: dict[str, Any] = {}
    g = request.GET
    today = timezone.localdate()

    def _date(key: str, default: date | None) -> date | None:
        raw = (g.get(key) or "").strip()
        if not raw:
            return default
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            errors.append(f"{'开始' if key == 'date_from' else '结束'}日期格式应为 YYYY-MM-DD")
            return default
        if not DATE_MIN <= value <= DATE_MAX:
            errors.append(f"{'开始' if key == 'date_from' else '结束'}日期应在 1900-01-01 至 2100-12-31 之间")
            return default
        return value

    values["date_from"] = _date("date_from", date(today.year, 1, 1))
    values["date_to"] = _date("date_to", today)
    cat = g.get("category") or ""
    values["category"] = int(cat) if cat.isascii() and cat.isdigit() and 0 < int(cat) <= ID_MAX else None
    bad_category = bool(cat) and values["category"] is None
    if bad_category:
        errors.append("分类参数无效，未统计任何诉求")
    flt = selectors.RateFilter(
        date_from=values["date_from"],
        date_to=values["date_to"],
        category_id=0 if bad_category else values["category"],  # no category has id 0: nothing counted
    )
    return flt, values, errors


def _rate_params(request: HttpRequest) -> tuple[selectors.RateParams, list[str]]:
    errors: list[str] = []
    defaults = selectors.RateParams()

    def _dec(key: str, default: Decimal) -> Decimal:
        raw = (request.GET.get(key) or "").strip()
        if not raw:
            return default
        value = finite_decimal(raw)
        if value is None or not Decimal(0) <= value <= Decimal(1):
            errors.append(f"参数 {key} 应为 0 到 1 之间的小数")
            return default
        return value

    return (
        selectors.RateParams(
            basic_weight=_dec("basic_weight", defaults.basic_weight),
            w_response=_dec("w_response", defaults.w_response),
            w_resolution=_dec("w_resolution", defaults.w_resolution),
            w_satisfaction=_dec("w_satisfaction", defaults.w_satisfaction),
        ),
        errors,
    )


@back_office
@heavy_read_view
def rates(request: HttpRequest) -> HttpResponse:
    org = _anchor_org(request)
    flt, values, errors = _rate_filter(request)
    params, perrors = _rate_params(request)
    total, rows = selectors.subtree_rates(request.user, org, flt, params)
    by_liaison = selectors.liaison_rates(request.user, org, flt, params)
    by_handler = selectors.handler_rates(request.user, org, flt, params)
    drill = {
        "date_from": values["date_from"].isoformat() if values["date_from"] else "",
        "date_to": values["date_to"].isoformat() if values["date_to"] else "",
        "category": values["category"] or "",
    }
    list_url, rates_url = reverse("appeals:list"), reverse("appeals:rates")

    def _q(**params: Any) -> str:
        return urlencode({k: v for k, v in {**drill, **params}.items() if v not in (None, "")})

    total.extra["drill"] = f"{list_url}?{_q(subtree=org.code)}"
    for r in rows:
        key = {"unit": org.code} if r.extra.get("own") else {"subtree": r.org.code}
        r.extra["drill"] = f"{list_url}?{_q(**key)}"
        r.extra["rates_url"] = f"{rates_url}?{_q(org=r.org.code)}"
    for r in by_liaison:
        r.extra["drill"] = f"{list_url}?{_q(subtree=org.code, liaison=r.extra['liaison_id'])}"
    for r in by_handler:
        r.extra["drill"] = f"{list_url}?{_q(subtree=org.code, handler=r.extra['handler_code'])}"
    if request.GET.get("export") == "xlsx":

        def line(kind: str, r: selectors.Rates) -> list[Any]:
            c = r.counts
            return [
                kind,
                r.label,
                c["all"],
                c["contacted_in_time"],
                r.response,
                c["valid"],
                c["resolved"],
                r.resolution,
                c["rated"],
                c["satisfied"],
                c["basic"],
                c["unsatisfied"],
                r.satisfaction,
                r.composite,
                c["overdue"],
                c["reopened"],
                c["open"],
                r.small_sample,
            ]

        out = [line("合计", total), *(line("下级组织", r) for r in rows)]
        out += [line("联络人", r) for r in by_liaison] + [line("主办单位", r) for r in by_handler]
        return audited_export(
            request,
            what=f"三率统计-{org.name}",
            filename=f"三率统计-{org.code}.xlsx",
            headers=[
                "类别",
                "名称",
                "诉求",
                "按时联系",
                "响应率%",
                "有效诉求",
                "已解决",
                "解决率%",
                "已评价",
                "满意",
                "基本满意",
                "不满意",
                "满意率%",
                "综合得分",
                "超时",
                "重办",
                "未办结",
                "样本少",
            ],
            rows=out,
            count=len(out),
        )
    parent_url = ""
    if org.depth > 1 and can_at(request.user, Perm.APPEAL_OFFICE, Organisation(path=org.parent_path)):
        parent = Organisation.objects.filter(path=org.parent_path).first()
        parent_url = f"{rates_url}?{_q(org=parent.code)}" if parent else ""
    return render(
        request,
        "appeals/rates.html",
        {
            "org": org,
            "total": total,
            "rows": rows,
            "by_liaison": by_liaison,
            "by_handler": by_handler,
            "values": values,
            "drill": drill,
            "parent_url": parent_url,
            "params": params,
            "errors": errors + perrors,
            "categories": Category.objects.all(),
        },
    )


# --- liaisons -----------------------------------------------------------------------------------


@back_office
def liaisons(request: HttpRequest) -> HttpResponse:
    org = _anchor_org(request)
    can_manage = can_at(request.user, Perm.LIAISON_MANAGE, org)
    form = LiaisonAssignForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("您无权指派联络人")
        if form.is_valid():
            cd = form.cleaned_data
            union = cd["organisation"]
            person = User.objects.filter(username=cd["liaison"].strip(), is_active=True).first()
            if person is None or not can_at(person, Perm.APPEAL_HANDLE, union):
                # One answer for "no such account" and "an account elsewhere": the form is no probe
                # for which usernames exist in the district, and shows no one's name.
                form.add_error("liaison", "找不到可指派的账号：账号不存在，或没有覆盖该工会的社工或干部角色")
            else:
                try:
                    services.liaison_assign(
                        actor=request.user,
                        organisation=union,
                        liaison=person,
                        started_on=cd["started_on"],
                        note=cd["note"],
                        request=request,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    add_validation_errors(form, exc)
                else:
                    messages.success(request, f"已指派 {person} 为“{union.name}”的联络人")
                    return redirect(f"{request.path}?org={org.code}")
    if request.GET.get("export") == "gaps":
        gaps = selectors.liaison_coverage(request.user, org, gap_limit=None).gaps
        return audited_export(
            request,
            what="联络人盲点工会",
            filename="联络人盲点工会.xlsx",
            headers=["组织编码", "工会名称", "类型", "在册会员", "原因"],
            rows=([g["org"].code, g["org"].name, g["org"].get_kind_display(), g["members"], g["reason"]] for g in gaps),
            count=len(gaps),
        )
    coverage = selectors.liaison_coverage(request.user, org)
    history = selectors.liaison_history(request.user, org)[:20]
    return render(
        request,
        "appeals/liaisons.html",
        {
            "org": org,
            "coverage": coverage,
            "history": history,
            "form": form,
            "can_manage": can_manage,
            "anchor_form": AnchorForm(initial={"org": org}, user=request.user),
        },
    )


# --- notifications ------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if is_portal_user(request.user):  # a worker reads their messages inside the portal
        return redirect("portal:messages")
    return notification_page(request, template="appeals/notifications.html", url_name="appeals:notifications")


def notification_page(request: HttpRequest, *, template: str, url_name: str) -> HttpResponse:
    """One's own notifications (GET: the list, ``?unread=1`` the unread only; POST: mark read), shown
    with the back office's template or the portal's."""
    qs = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        ids = ids_from(request.POST.getlist("id"))
        target = qs.filter(read_at__isnull=True)
        if ids:
            target = target.filter(pk__in=ids)
        n = target.update(read_at=timezone.now())
        messages.success(request, f"已标记 {n} 条为已读")
        return redirect(url_name)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = paginate(request, qs)
    return render(
        request,
        template,
        {
            "page": page,
            "query": query_without(request, "page"),
            "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
        },
    )
