from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from core.replica import heavy_read_view
from dashboard import charts as dashboard_charts
from dashboard import selectors, services
from dashboard.figures import Period, board
from dashboard.forms import DraftForm, PeriodForm, default_period
from dashboard.report import figure_catalogue
from dashboard.report import render as render_report
from dashboard.report_export import CONTENT_TYPES, export
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, is_portal_user, scoped
from orgs.web import audited_export, perm_required


@login_required
@heavy_read_view
def home(request: HttpRequest) -> HttpResponse:
    if is_portal_user(request.user):  # workers live in the portal
        return redirect("portal:home")
    return render(request, "dashboard/home.html", selectors.home_figures(request.user))


# --- the leadership dashboard and the work report ----------------------------------------------------


def _root(request: HttpRequest) -> Organisation:
    """The subtree picked in the tree (``?subtree=<code>``), or the user's widest organisation; an
    unknown or out-of-scope code is a 404, never another organisation's figures."""
    orgs = scoped(request.user, Perm.ORG_VIEW, Organisation.objects.order_by("depth", "path"))
    code = request.GET.get("subtree", "").strip()
    if code:
        if len(code) > 40 or "\x00" in code:
            raise Http404("组织不存在或不在您的范围内")
        root = orgs.filter(code=code).first()
        if root is None:
            raise Http404("组织不存在或不在您的范围内")
        return root
    root = orgs.first()
    if root is None:
        raise Http404("您没有可查看的组织")
    return root


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    keys = ("kind", "year", "month", "quarter", "start", "end")
    if not any(k in request.GET for k in keys):
        period = default_period()
        form = PeriodForm(initial={"kind": "range", "start": period.start, "end": period.end})
        return form, period
    form = PeriodForm({k: request.GET.get(k, "") for k in keys})
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["period"]


def _query(root: Organisation, period: Period) -> str:
    return urlencode({"subtree": root.code, "kind": "range", "start": period.start, "end": period.end})


@perm_required(Perm.ORG_VIEW)
@heavy_read_view
def leader(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    form, period = _period(request)
    context: dict[str, Any] = {"root": root, "form": form, "period": period}
    if period is not None:
        b = board(request.user, root, period)
        chart_list = dashboard_charts.charts(request.user, root, period)
        if request.GET.get("export") == "xlsx":
            return _export(request, b, chart_list)
        context.update(board=b, charts=chart_list, query=_query(root, period))
    return render(request, "dashboard/leader.html", context)


def _export(request: HttpRequest, b: Any, chart_list: list[Any]) -> HttpResponse:
    rows: list[list[Any]] = []
    for group, figs in b.groups:
        rows += [[group.label, f.label, f.value if f.value is not None else "", f.unit, f.note] for f in figs]
    for chart in chart_list:
        rows += [[chart.title, p.label, p.value, chart.unit, ""] for p in chart.points]
    return audited_export(
        request,
        what="领导驾驶舱数据",
        filename=f"驾驶舱_{b.root.code}_{b.period.start:%Y%m%d}-{b.period.end:%Y%m%d}.xlsx",
        headers=["项目", "指标", "数值", "单位", "说明"],
        rows=rows,
        count=len(rows),
    )


@perm_required(Perm.ORG_VIEW)
@heavy_read_view
def report(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    form, period = _period(request)
    context: dict[str, Any] = {"root": root, "form": form, "period": period}
    if period is None:
        return render(request, "dashboard/report.html", context)
    draft = selectors.report_draft(root, period)
    template = selectors.report_template(draft)
    may_edit = can_at(request.user, Perm.ORG_CHANGE, root)
    draft_form = DraftForm(initial={"template": template})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("您无权修改该组织的工作简报")
        if request.POST.get("action") == "reset":
            services.draft_reset(user=request.user, organisation=root, period=period)
            messages.success(request, "已恢复为标准简报内容")
            return redirect(f"{reverse('dashboard:report')}?{_query(root, period)}")
        draft_form = DraftForm(request.POST)
        if draft_form.is_valid():
            try:
                services.draft_save(
                    user=request.user, organisation=root, period=period, template=draft_form.cleaned_data["template"]
                )
            except ValidationError as exc:
                draft_form.add_error("template", exc)
            else:
                messages.success(request, "简报内容已保存，导出的文件使用修改后的文字")
                return redirect(f"{reverse('dashboard:report')}?{_query(root, period)}")
        template = draft_form.data.get("template", template) if draft_form.errors else template
    b = board(request.user, root, period)
    fmt = request.GET.get("format", "")
    rendered = render_report(selectors.report_template(draft), b)
    if fmt:
        if fmt not in CONTENT_TYPES:
            raise Http404("不支持的导出格式")
        return _download(request, rendered, fmt, root, period)
    context.update(
        report=rendered,
        draft=draft,
        draft_form=draft_form,
        may_edit=may_edit,
        catalogue=figure_catalogue(b),
        query=_query(root, period),
    )
    return render(request, "dashboard/report.html", context)


def _download(request: HttpRequest, rendered: Any, fmt: str, root: Organisation, period: Period) -> HttpResponse:
    from urllib.parse import quote

    from core.audit import audit_log
    from core.models import AuditEvent

    body = export(rendered, fmt)
    audit_log(
        AuditEvent.Kind.EXPORT,
        user=request.user,
        request=request,
        summary=f"导出工作简报（{fmt}）",
        detail={"path": request.path, "query": _query(root, period), "rows": len(rendered.lines)},
    )
    name = f"工作简报_{root.name}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
