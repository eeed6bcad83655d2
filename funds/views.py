"""Pages of the funds app: ledger, donations, programmes and cycles. Thin: services and selectors do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from core.filters import invalid_params
from core.lists import ListPage
from core.views import add_refusal_message, add_validation_errors, paginate, query_without
from funds import selectors, services
from funds.engine import get_plugin
from funds.filtersets import (
    AccountFilterSet,
    CycleFilterSet,
    DonationFilterSet,
    EntitlementFilterSet,
    EntryFilterSet,
    PaymentFilterSet,
    ProgrammeFilterSet,
)
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
from funds.tables import (
    AccountTable,
    CycleTable,
    DonationTable,
    EntitlementTable,
    EntryTable,
    PaymentTable,
    ProgrammeTable,
)
from funds.tasks import cycle_compute_interruption_check
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, has_perm, scoped
from orgs.web import audited_export, perm_required


def _list_context(request: HttpRequest, qs: QuerySet, **extra: Any) -> dict[str, Any]:
    return {
        "page": paginate(request, qs),
        "query": query_without(request, "page"),
        **extra,
        "export_query": query_without(request, "page", "export"),
    }


# --- ledger -----------------------------------------------------------------------------------


class AccountList(ListPage):
    title = "会计科目与余额"
    noun = "科目"
    unit = "个"
    table_class = AccountTable
    filterset_class = AccountFilterSet
    perm = export_perm = Perm.FUND_VIEW
    template_name = "funds/account_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.accounts_with_balances(request.user)


account_list = AccountList.as_view()


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


class EntryList(ListPage):
    title = "记账凭证"
    noun = "凭证"
    unit = "张"
    table_class = EntryTable
    filterset_class = EntryFilterSet
    perm = export_perm = Perm.FUND_VIEW
    template_name = "funds/entry_list.html"
    testid = "entries"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_entries(request.user)


entry_list = EntryList.as_view()


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
                add_refusal_message(request, exc)
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


class DonationList(ListPage):
    title = "捐赠名单"
    noun = "捐赠"
    unit = "笔"
    table_class = DonationTable
    filterset_class = DonationFilterSet
    perm = export_perm = Perm.FUND_VIEW
    create = ("funds:donation_create", "登记捐赠", Perm.DONATION_MANAGE)
    template_name = "funds/donation_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_donations(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "fund_totals": selectors.donation_totals_by_fund(request.user),
            "can_allocate": has_perm(request.user, Perm.FUND_PREPARE),
        }


donation_list = DonationList.as_view()


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


class ProgrammeList(ListPage):
    title = "资金项目"
    noun = "项目"
    unit = "个"
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilterSet
    perm = export_perm = Perm.FUND_VIEW
    template_name = "funds/programme_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_programmes(request.user)


programme_list = ProgrammeList.as_view()


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


class CycleList(ListPage):
    title = "发放周期"
    noun = "周期"
    unit = "个"
    table_class = CycleTable
    filterset_class = CycleFilterSet
    perm = export_perm = Perm.FUND_VIEW

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_cycles(request.user)


cycle_list = CycleList.as_view()


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    cycles = selectors.visible_cycles(request.user).select_related("programme__organisation", "programme__fund")
    # a cycle whose compute worker died is shown 计算失败, and can be recomputed
    return cycle_compute_interruption_check(get_scoped_or_404(request.user, Perm.FUND_VIEW, cycles, pk=pk))


class CycleEntitlements(ListPage):
    """The cycle page: its figures and signers above the list of its entitlements (and their xlsx)."""

    title = "应发明细"
    noun = "应发明细"
    table_class = EntitlementTable
    filterset_class = EntitlementFilterSet
    perm = export_perm = Perm.FUND_VIEW
    ordering = ("id",)
    template_name = "funds/cycle_detail.html"
    testid = "entitlements"

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.title = f"{cycle}应发明细"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_entitlements(request.user).filter(cycle=self.cycle)

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        org = self.cycle.programme.organisation
        return {"adjustable": self.cycle.editable and can_at(request.user, Perm.FUND_PREPARE, org)}

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        cycle, user = self.cycle, request.user
        org = cycle.programme.organisation
        approvals = list(cycle.approvals.select_related("user"))
        can_prepare = can_at(user, Perm.FUND_PREPARE, org)
        return {
            "cycle": cycle,
            "approvals": approvals,
            "live_approvals": sum(1 for a in approvals if a.voided_at is None),
            "steps": cycle.programme.step_labels,
            "signed_steps": selectors.cycle_steps(cycle, approvals),
            # the buttons the state machine allows now (the service asks it the same way)
            "can_recompute": can_prepare and can_proceed(cycle.start_compute),
            "can_review": can_prepare and can_proceed(cycle.review),
            # whoever prepared, recomputed or adjusted the figures never approves them (the
            # service refuses; the button is not offered).
            "can_approve": can_proceed(cycle.approve)
            and can_at(user, Perm.FUND_APPROVE, org)
            and user.pk not in services.cycle_signers_barred(cycle),
            "balance": selectors.account_balance(cycle.programme.fund),
            "plugin_links": _plugin_links(cycle),
            # listed before approval: who the bank cannot be asked to pay yet (docs/bank.md)
            "without_account": _without_account(cycle) if cycle.state != Cycle.State.FAILED else [],
        }


def _without_account(cycle: Cycle) -> list[str]:
    """Names of the cycle's beneficiaries (amount above zero) with no verified bank account, first 11."""
    from django.db.models import Exists, OuterRef, Q

    from funds.models import PayeeAccount

    verified = PayeeAccount.objects.filter(owner_key=OuterRef("beneficiary_key"), status=PayeeAccount.Status.VERIFIED)
    return list(
        cycle.entitlements.filter(Q(adjusted_amount__gt=0) | Q(adjusted_amount__isnull=True, amount__gt=0))
        .filter(~Exists(verified))
        .order_by("id")
        .values_list("beneficiary_name", flat=True)[:11]
    )


def _plugin_links(cycle: Cycle) -> list[tuple[str, str]]:
    """The plug-in's own buttons for this cycle (engine protocol: optional ``cycle_links``)."""
    links = getattr(get_plugin(cycle.programme.plugin_key), "cycle_links", None)
    return list(links(cycle)) if links is not None else []


@perm_required(Perm.FUND_VIEW)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return CycleEntitlements(_cycle(request, pk)).get(request)


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
        add_refusal_message(request, exc)
    else:
        extra = "，已登记应付凭证，请编入银行批次支付" if result.state == Cycle.State.PAID else ""
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


class PaymentList(ListPage):
    title = "支付记录"
    noun = "支付"
    unit = "笔"
    table_class = PaymentTable
    filterset_class = PaymentFilterSet
    perm = export_perm = Perm.FUND_VIEW  # the export is the bank's payment list
    testid = "payments"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.visible_payments(request.user)


payment_list = PaymentList.as_view()
