"""Pages of the funds app: ledger, donations, programmes and cycles. Thin: services and selectors do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.filters import filter_queryset, invalid_params
from core.views import add_validation_errors, paginate, query_without
from funds import selectors, services
from funds.engine import get_plugin
from funds.filtersets import CycleFilterSet, DonationFilterSet, EntitlementFilterSet, EntryFilterSet, PaymentFilterSet
from funds.forms import (
    AdjustForm,
    AllocationForm,
    CycleForm,
    DonationForm,
    ParameterForm,
    ReverseForm,
    StatementForm,
)
from funds.models import Account, Cycle, Entitlement, JournalEntry, Period
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, has_perm, scoped
from orgs.web import audited_export, perm_required


def _filter(request: HttpRequest, filterset_class: Any, qs: QuerySet) -> tuple[Any, QuerySet]:
    fs = filterset_class(request.GET or None, queryset=qs)
    return fs, filter_queryset(request, fs, qs)


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _list_context(request: HttpRequest, qs: QuerySet, **extra: Any) -> dict[str, Any]:
    return {
        "page": paginate(request, qs),
        "query": query_without(request, "page"),
        **extra,
        "export_query": query_without(request, "page", "export"),
    }


# --- ledger -----------------------------------------------------------------------------------


@perm_required(Perm.FUND_VIEW)
def account_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.accounts_with_balances(request.user)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(code__startswith=text) | Q(name__icontains=text))
    if request.GET.get("type"):
        qs = qs.filter(type=request.GET["type"])
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                a.code,
                a.name,
                a.get_type_display(),
                a.organisation.name,
                a.debit_total,
                a.credit_total,
                selectors.signed(a, a.debit_total, a.credit_total),
            ]
            for a in qs
        )
        return audited_export(
            request,
            what="会计科目余额",
            filename="会计科目余额.xlsx",
            headers=["科目编码", "科目名称", "类别", "所属组织", "借方合计", "贷方合计", "余额"],
            rows=rows,
            count=qs.count(),
        )
    ctx = _list_context(request, qs, types=Account.Type.choices)
    for a in ctx["page"]:
        a.balance = selectors.signed(a, a.debit_total, a.credit_total)
    return render(request, "funds/account_list.html", ctx)


@perm_required(Perm.FUND_VIEW)
def account_detail(request: HttpRequest, code: str) -> HttpResponse:
    account = get_scoped_or_404(request.user, Perm.FUND_VIEW, Account.objects.select_related("organisation"), code=code)
    form = StatementForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    st = selectors.account_statement(account, start=start, end=end)
    if invalid_params(request, form):
        st.lines = st.lines.none()
    if request.GET.get("export") == "xlsx":
        rows = (
            [ln.entry.date, ln.entry.number, ln.entry.description, ln.debit, ln.credit, ln.balance, ln.memo]
            for ln in st.lines.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what=f"{account.name}明细账",
            filename=f"{account.code}明细账.xlsx",
            headers=["日期", "凭证号", "摘要", "借方", "贷方", "余额", "说明"],
            rows=rows,
            count=st.lines.count(),
        )
    return render(
        request, "funds/account_detail.html", {**_list_context(request, st.lines), "account": account, "st": st}
    )


@perm_required(Perm.FUND_VIEW)
def trial_balance(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.GET or None)
    end = form.cleaned_data["end"] if form.is_valid() else None
    invalid_params(request, form)
    tb = selectors.trial_balance(request.user, end=end)
    if request.GET.get("export") == "xlsx":
        rows = [[r["account"].code, r["account"].name, r["debit"], r["credit"]] for r in tb["rows"]]
        rows.append(["合计", "", tb["debit"], tb["credit"]])
        return audited_export(
            request,
            what="试算平衡表",
            filename="试算平衡表.xlsx",
            headers=["科目编码", "科目名称", "借方余额", "贷方余额"],
            rows=rows,
            count=len(rows),
        )
    return render(
        request, "funds/trial_balance.html", {"tb": tb, "end": end, "export_query": query_without(request, "export")}
    )


@perm_required(Perm.FUND_VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    fs, qs = _filter(request, EntryFilterSet, selectors.visible_entries(request.user))
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                e.date,
                e.number,
                e.description,
                e.amount,
                e.rule,
                e.prepared_by and str(e.prepared_by),
                e.approved_by and str(e.approved_by),
                e.reversal_of and e.reversal_of.number,
            ]
            for e in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="记账凭证",
            filename="记账凭证.xlsx",
            headers=["日期", "凭证号", "摘要", "金额", "依据", "制单人", "审批人", "冲销的原凭证"],
            rows=rows,
            count=qs.count(),
        )
    return render(request, "funds/entry_list.html", _list_context(request, qs, filter=fs))


@perm_required(Perm.FUND_VIEW)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_scoped_or_404(request.user, Perm.FUND_VIEW, selectors.visible_entries(request.user), pk=pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST":
        if not can_at(request.user, Perm.FUND_APPROVE, entry.organisation):
            raise PermissionDenied("您没有冲销凭证的权限")
        if form.is_valid():
            try:
                rev = services.entry_reverse(
                    actor=request.user, entry=entry, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已登记冲销凭证 {rev.number}")
                return redirect("funds:entry_detail", pk=rev.pk)
    reversed_by = JournalEntry.objects.filter(reversal_of=entry).first()
    return render(
        request,
        "funds/entry_detail.html",
        {
            "entry": entry,
            "lines": entry.lines.select_related("account"),
            "reversed_by": reversed_by,
            "form": form,
            "can_reverse": can_at(request.user, Perm.FUND_APPROVE, entry.organisation)
            and reversed_by is None
            and entry.reversal_of_id is None,
        },
    )


@perm_required(Perm.FUND_VIEW)
def period_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not has_perm(request.user, Perm.FUND_APPROVE):
            raise PermissionDenied("您没有结账的权限")
        period = Period.objects.filter(code=request.POST.get("code", "")).first()
        if period is None:
            messages.error(request, "未找到该会计期间")
        else:
            try:
                services.period_close(actor=request.user, period=period)
                messages.success(request, f"会计期间 {period.code} 已结账")
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        return redirect("funds:period_list")
    qs = Period.objects.select_related("closed_by").order_by("-code")
    return render(
        request,
        "funds/period_list.html",
        {**_list_context(request, qs), "can_close": has_perm(request.user, Perm.FUND_APPROVE)},
    )


# --- donations and budgets --------------------------------------------------------------------


def _funds_for(user: Any, perm: str) -> QuerySet[Account]:
    return scoped(user, perm, Account.objects.filter(is_fund=True, active=True)).order_by("code")


@perm_required(Perm.FUND_VIEW)
def donation_list(request: HttpRequest) -> HttpResponse:
    fs, qs = _filter(request, DonationFilterSet, selectors.visible_donations(request.user))
    if request.GET.get("export") == "xlsx":
        rows = (
            [d.receipt_no, d.received_on, d.shown_donor, d.get_donor_kind_display(), d.amount, d.fund.name, d.note]
            for d in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="捐赠名单",
            filename="捐赠名单.xlsx",
            headers=["收据编号", "到账日期", "捐赠方", "类型", "金额", "接收基金", "备注"],
            rows=rows,
            count=qs.count(),
        )
    return render(
        request,
        "funds/donation_list.html",
        _list_context(
            request,
            qs,
            filter=fs,
            totals=selectors.donation_totals_by_fund(request.user),
            can_manage=has_perm(request.user, Perm.DONATION_MANAGE),
            can_allocate=has_perm(request.user, Perm.FUND_PREPARE),
        ),
    )


@perm_required(Perm.DONATION_MANAGE)
def donation_create(request: HttpRequest) -> HttpResponse:
    form = DonationForm(request.POST or None, funds=_funds_for(request.user, Perm.DONATION_MANAGE))
    if request.method == "POST" and form.is_valid():
        try:
            donation = services.donation_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记捐赠，收据编号 {donation.receipt_no}")
            return redirect("funds:donation_receipt", pk=donation.pk)
    return render(request, "funds/form.html", {"form": form, "title": "登记捐赠", "back": "funds:donation_list"})


@perm_required(Perm.FUND_VIEW)
def donation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_scoped_or_404(request.user, Perm.FUND_VIEW, selectors.visible_donations(request.user), pk=pk)
    return render(request, "funds/donation_receipt.html", {"d": donation})


@perm_required(Perm.FUND_PREPARE)
def allocation_create(request: HttpRequest) -> HttpResponse:
    form = AllocationForm(request.POST or None, funds=_funds_for(request.user, Perm.FUND_PREPARE))
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已登记预算拨款")
            return redirect("funds:account_list")
    return render(request, "funds/form.html", {"form": form, "title": "登记预算拨款", "back": "funds:account_list"})


# --- programmes and cycles --------------------------------------------------------------------


@perm_required(Perm.FUND_VIEW)
def programme_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.visible_programmes(request.user)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(code__istartswith=text) | Q(name__icontains=text))
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                p.code,
                p.name,
                p.get_beneficiary_type_display(),
                p.get_period_type_display(),
                p.fund.name,
                " → ".join(p.step_labels),
                "按比例核减" if p.prorate else "拒绝审批",
            ]
            for p in qs
        )
        return audited_export(
            request,
            what="资金项目",
            filename="资金项目.xlsx",
            headers=["编码", "项目", "受益对象", "周期", "支付基金", "审批环节", "余额不足时"],
            rows=rows,
            count=qs.count(),
        )
    return render(request, "funds/programme_list.html", _list_context(request, qs))


@perm_required(Perm.FUND_VIEW)
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = get_scoped_or_404(request.user, Perm.FUND_VIEW, selectors.visible_programmes(request.user), code=code)
    plugin = get_plugin(programme.plugin_key)
    can_prepare = can_at(request.user, Perm.FUND_PREPARE, programme.organisation)
    action = request.POST.get("action")
    versions = list(programme.versions.select_related("created_by"))
    cycle_form = CycleForm(request.POST if action == "cycle" else None)
    version_form = ParameterForm(
        request.POST if action == "version" else None,
        parameters=plugin.parameters,
        current=versions[0].params if versions else None,
        user=request.user,
    )
    if request.method == "POST":
        if not can_prepare:
            raise PermissionDenied("您没有办理此项目的权限")
        try:
            if action == "cycle" and cycle_form.is_valid():
                cycle = services.cycle_create(actor=request.user, programme=programme, **cycle_form.cleaned_data)
                messages.success(request, f"已开始计算 {cycle.period_key} 期")
                return redirect("funds:cycle_detail", pk=cycle.pk)
            if action == "version" and version_form.is_valid():
                c = version_form.cleaned_data
                services.parameter_version_add(
                    actor=request.user,
                    programme=programme,
                    effective_from=c["effective_from"],
                    params=c["params"],
                    note=c["note"],
                )
                messages.success(request, "已新增参数版本")
                return redirect("funds:programme_detail", code=programme.code)
        except ValidationError as exc:
            add_validation_errors(cycle_form if action == "cycle" else version_form, exc)
    cycles = selectors.visible_cycles(request.user).filter(programme=programme)[:50]
    return render(
        request,
        "funds/programme_detail.html",
        {
            "programme": programme,
            "plugin_label": plugin.label,
            "versions": versions,
            "parameter_table": selectors.parameter_table(plugin.parameters, versions),
            "cycles": cycles,
            "balance": selectors.account_balance(programme.fund),
            "cycle_form": cycle_form,
            "version_form": version_form,
            "can_prepare": can_prepare,
        },
    )


@perm_required(Perm.FUND_VIEW)
def cycle_list(request: HttpRequest) -> HttpResponse:
    fs, qs = _filter(request, CycleFilterSet, selectors.visible_cycles(request.user))
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                c.programme.name,
                c.period_key,
                c.get_state_display(),
                c.total,
                c.beneficiaries,
                c.prepared_by and str(c.prepared_by),
                c.reviewed_by and str(c.reviewed_by),
                c.paid_at,
            ]
            for c in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="发放周期",
            filename="发放周期.xlsx",
            headers=["项目", "期间", "状态", "合计", "对象数", "制单", "复核", "支付时间"],
            rows=rows,
            count=qs.count(),
        )
    return render(request, "funds/cycle_list.html", _list_context(request, qs, filter=fs, states=Cycle.State.choices))


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    return get_scoped_or_404(request.user, Perm.FUND_VIEW, selectors.visible_cycles(request.user), pk=pk)


@perm_required(Perm.FUND_VIEW)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    base = selectors.visible_entitlements(request.user).filter(cycle=cycle).order_by("id")
    fs, qs = _filter(request, EntitlementFilterSet, base)
    if request.GET.get("export") == "xlsx":
        rows = (
            [e.beneficiary_name, e.amount, e.adjusted_amount, e.adjust_reason, e.approved_amount, e.explanation]
            for e in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what=f"{cycle}应发明细",
            filename=f"应发明细-{cycle.period_key}.xlsx",
            headers=["受益对象", "计算金额", "调整后金额", "调整理由", "核定金额", "计算说明"],
            rows=rows,
            count=qs.count(),
        )
    org = cycle.programme.organisation
    user = request.user
    approvals = list(cycle.approvals.select_related("user"))
    return render(
        request,
        "funds/cycle_detail.html",
        {
            **_list_context(request, qs, filter=fs),
            "cycle": cycle,
            "approvals": approvals,
            "live_approvals": sum(1 for a in approvals if a.voided_at is None),
            "steps": cycle.programme.step_labels,
            "signed_steps": selectors.cycle_steps(cycle, approvals),
            "can_prepare": can_at(user, Perm.FUND_PREPARE, org),
            # whoever prepared, recomputed or adjusted the figures never approves them (the
            # service refuses; the button is not offered). Only a reviewed cycle can be approved.
            "can_approve": cycle.state == Cycle.State.REVIEWED
            and can_at(user, Perm.FUND_APPROVE, org)
            and user.pk not in services.cycle_signers_barred(cycle),
            "balance": selectors.account_balance(cycle.programme.fund),
        },
    )


@perm_required(Perm.FUND_VIEW)
def cycle_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment the cycle page polls while the background task computes."""
    cycle = _cycle(request, pk)
    response = render(request, "funds/_cycle_progress.html", {"cycle": cycle})
    if cycle.state != Cycle.State.COMPUTING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@perm_required(Perm.FUND_VIEW)
def cycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    cycle = _cycle(request, pk)
    actions = {
        "review": (services.cycle_review, "已复核"),
        "approve": (services.cycle_approve, "已审批"),
        "recompute": (services.cycle_recompute, "已开始重新计算"),
    }
    if action not in actions:
        raise PermissionDenied("未知操作")
    func, done = actions[action]
    try:
        result = func(actor=request.user, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        extra = "，已支付并登记凭证" if result.state == Cycle.State.PAID else ""
        messages.success(request, f"{done}{extra}")
    return redirect("funds:cycle_detail", pk=cycle.pk)


@perm_required(Perm.FUND_PREPARE)
def entitlement_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = get_scoped_or_404(
        request.user, Perm.FUND_PREPARE, Entitlement.objects.select_related("cycle__programme"), pk=pk
    )
    form = AdjustForm(request.POST or None, initial={"amount": entitlement.final_amount})
    if request.method == "POST" and form.is_valid():
        try:
            services.entitlement_adjust(actor=request.user, entitlement=entitlement, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已调整 {entitlement.beneficiary_name} 的金额")
            return redirect("funds:cycle_detail", pk=entitlement.cycle_id)
    return render(request, "funds/adjust.html", {"form": form, "e": entitlement})


@perm_required(Perm.FUND_VIEW)
def payment_list(request: HttpRequest) -> HttpResponse:
    fs, qs = _filter(request, PaymentFilterSet, selectors.visible_payments(request.user))
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                p.beneficiary_name,
                p.beneficiary_org.code if p.beneficiary_org else "",
                p.beneficiary_org.credit_code if p.beneficiary_org else "",
                p.amount,
                p.programme.name,
                p.period_key,
                p.entry.number,
                p.paid_at,
            ]
            for p in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="支付清单",
            filename="支付清单.xlsx",
            headers=["收款单位/人", "组织编码", "统一社会信用代码", "金额", "项目", "期间", "凭证号", "支付时间"],
            rows=rows,
            count=qs.count(),
        )
    return render(request, "funds/payment_list.html", _list_context(request, qs, filter=fs))
