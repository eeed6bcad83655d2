"""Pages of the organisation programmes: start-up grants and their usage, the dues import."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.audit import audit_log
from core.lists import ListPage
from core.models import AuditEvent
from core.views import add_validation_errors
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import perm_required
from programmes import selectors, services
from programmes.filtersets import DuesFilterSet, GrantFilterSet
from programmes.forms import DuesImportForm, DuesReplaceForm, UsageForm
from programmes.tables import DuesTable, GrantTable


class GrantList(ListPage):
    title = "新建工会启动经费：拨付与使用"
    noun = "拨付"
    unit = "笔"
    table_class = GrantTable
    filterset_class = GrantFilterSet
    perm = export_perm = Perm.FUND_VIEW
    testid = "grants"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.grants(request.user)


grant_list = GrantList.as_view()


@perm_required(Perm.FUND_VIEW)
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_scoped_or_404(request.user, Perm.FUND_VIEW, selectors.grants(request.user), pk=pk)
    can_report = payment.beneficiary_org is not None and can_at(request.user, Perm.ORG_CHANGE, payment.beneficiary_org)
    form = UsageForm(request.POST or None)
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied("只有受资助工会或其上级的干部可以登记经费使用")
        if form.is_valid():
            try:
                services.grant_usage_record(actor=request.user, payment=payment, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "已登记经费使用")
                return redirect("programmes:grant_detail", pk=payment.pk)
    return render(
        request,
        "programmes/grant_detail.html",
        {
            "p": payment,
            "usages": selectors.usages(request.user, payment),
            "form": form,
            "can_report": can_report,
        },
    )


class DuesList(ListPage):
    title = "税务代收工会经费"
    noun = "行"
    unit = ""
    table_class = DuesTable
    filterset_class = DuesFilterSet
    perm = export_perm = Perm.FUND_VIEW
    create = ("programmes:dues_import", "导入税务局文件", Perm.FUND_PREPARE)
    template_name = "programmes/dues_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.dues_records(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"imports": selectors.dues_imports(request.user)[:10]}


dues_list = DuesList.as_view()


def _pending_path(digest: str) -> Path:
    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / "dues_pending"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / digest


@perm_required(Perm.FUND_PREPARE)
def dues_import(request: HttpRequest) -> HttpResponse:
    district = Organisation.objects.filter(depth=1).order_by("path").first()
    if district is None or not can_at(request.user, Perm.FUND_PREPARE, district):
        raise PermissionDenied("只有区总工会财务人员可以导入税务代收经费数据")
    replace = DuesReplaceForm(request.POST) if request.method == "POST" and "confirm_replace" in request.POST else None
    form = DuesImportForm(None if replace else (request.POST or None), None if replace else (request.FILES or None))
    result = error_file = None
    source: tuple[str, bytes, int, bool, str] | None = None
    if replace is not None:
        pending = _pending_path(replace.data.get("confirm_replace", "")) if replace.is_valid() else None
        if pending is None or not pending.exists():
            messages.error(request, "待确认的文件已失效，请重新上传")
            return redirect("programmes:dues_import")
        c = replace.cleaned_data
        source = (c["filename"], pending.read_bytes(), c["year"], False, c["confirm_replace"])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source = (upload.name, upload.read(), form.cleaned_data["year"], form.cleaned_data["dry_run"], "")
    if source is not None:
        filename, content, year, dry_run, confirm = source
        try:
            result = services.dues_import(
                actor=request.user,
                district=district,
                filename=filename,
                content=content,
                year=year,
                dry_run=dry_run,
                confirm_replace=confirm,
            )
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        else:
            if result.errors:
                error_file = base64.b64encode(services.dues_error_workbook(result)).decode()
            elif result.needs_confirmation and not dry_run:
                # Keep the upload (named by its digest) until the replacement is confirmed.
                _pending_path(result.digest).write_bytes(content)
            elif result.batch:
                _pending_path(result.digest).unlink(missing_ok=True)
                audit_log(
                    AuditEvent.Kind.IMPORT,
                    user=request.user,
                    request=request,
                    obj=result.batch,
                    summary=(
                        f"导入税务代收经费 {result.rows} 行（匹配 {result.matched}，未匹配 {len(result.unmatched)}；"
                        f"替换：变更 {len(result.changed)}，删除 {len(result.removed)}）"
                    ),
                )
                messages.success(
                    request, f"已导入 {result.rows} 行：匹配 {result.matched} 家，未匹配 {len(result.unmatched)} 家"
                )
    context = {"form": form, "result": result, "error_file": error_file, "year": source[2] if source else None}
    if result is not None and source is not None:
        context["filename"] = source[0]
    return render(request, "programmes/dues_import.html", context)
