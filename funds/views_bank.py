"""Pages of money reaching the bank (docs/bank.md): batches and their reconciliation, payee accounts,
payees without an account, returned payments. Thin: ``funds.bank`` and ``funds.bank_selectors`` work."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.lists import ListPage
from core.views import add_refusal_message, add_validation_errors
from funds import bank, bank_import
from funds import bank_selectors as sel
from funds.filtersets_bank import BankPaymentFilterSet, BatchFilterSet, PayeeAccountFilterSet
from funds.forms_bank import AccountImportForm, BatchNewForm, PayeeAccountForm, RejectForm, ResultForm
from funds.models import BankBatch, PayeeAccount, Payment, Programme
from funds.tables_bank import BatchLineTable, BatchTable, MissingAccountTable, PayeeAccountTable, ReturnedTable
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, scoped
from orgs.web import perm_required


class BatchList(ListPage):
    title = "银行批次"
    noun = "批次"
    unit = "个"
    table_class = BatchTable
    filterset_class = BatchFilterSet
    perm = export_perm = Perm.FUND_VIEW
    create = ("funds:batch_new", "编制银行批次", Perm.FUND_PREPARE)
    template_name = "funds/bank/batch_list.html"
    testid = "batches"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return sel.visible_batches(request.user)


batch_list = BatchList.as_view()


def _batch(request: HttpRequest, pk: int, perm: str = Perm.FUND_VIEW) -> BankBatch:
    return get_scoped_or_404(request.user, perm, BankBatch.objects.select_related("created_by", "sent_by"), pk=pk)


class BatchLines(ListPage):
    """The reconciliation page of one batch: sent, confirmed, returned, unanswered; its lines below."""

    title = "批次明细"
    noun = "笔支付"
    unit = ""
    table_class = BatchLineTable
    perm = export_perm = Perm.FUND_VIEW
    ordering = ("seq",)
    template_name = "funds/bank/batch_detail.html"
    testid = "batch-lines"

    def __init__(self, batch: BankBatch) -> None:
        self.batch = batch
        self.title = f"银行批次 {batch.number}"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return sel.batch_lines(self.batch)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        batch = self.batch
        can_prepare = can_at(request.user, Perm.FUND_PREPARE, batch.organisation)
        return {
            "batch": batch,
            "rec": bank.reconciliation(batch),
            "can_prepare": can_prepare,
            "imports": list(batch.imports.select_related("imported_by")[:20]),
            "result_form": ResultForm() if can_prepare and batch.state != BankBatch.State.DRAFT else None,
            "problem_kinds": bank.PROBLEM_KINDS,
        }


@perm_required(Perm.FUND_VIEW)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return BatchLines(_batch(request, pk)).get(request)


@perm_required(Perm.FUND_PREPARE)
def batch_new(request: HttpRequest) -> HttpResponse:
    programmes = scoped(request.user, Perm.FUND_PREPARE, Programme.objects.filter(active=True))
    form = BatchNewForm(
        request.POST or None, programmes=programmes, initial={"programme": request.GET.get("programme")}
    )
    preview = None
    if form.is_bound and form.is_valid():
        payments = Payment.objects.filter(programme=form.cleaned_data["programme"])
        if form.cleaned_data["period"]:
            payments = payments.filter(period_key=form.cleaned_data["period"].strip())
        ready = sel.batchable_payments(request.user).filter(pk__in=payments.values("pk"))
        try:
            batch = bank.batch_create(actor=request.user, payments=ready, note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            blocked = sel.payees_without_account(request.user).filter(pk__in=payments.values("pk")).count()
            extra = f"；另有 {blocked} 笔因收款账户未核验未编入" if blocked else ""
            messages.success(request, f"已编制批次 {batch.number}：{batch.count} 笔，合计 {batch.total:,.2f} 元{extra}")
            return redirect("funds:batch_detail", pk=batch.pk)
    ready_count = sel.batchable_payments(request.user).count()
    missing_count = sel.payees_without_account(request.user).count()
    return render(
        request,
        "funds/bank/batch_new.html",
        {"form": form, "ready_count": ready_count, "missing_count": missing_count, "preview": preview},
    )


@require_POST
@perm_required(Perm.FUND_PREPARE)
def batch_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    batch = _batch(request, pk, Perm.FUND_PREPARE)
    actions = {"send": (bank.batch_send, "已标记为已发送银行，批次已锁定"), "cancel": (bank.batch_cancel, "批次已作废")}
    if action not in actions:
        raise Http404("未知操作")
    func, done = actions[action]
    try:
        func(actor=request.user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("funds:batch_detail", pk=batch.pk)


@perm_required(Perm.FUND_PREPARE)
def batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk, Perm.FUND_PREPARE)
    try:
        path = bank.batch_file(actor=request.user, batch=batch, request=request)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
        return redirect("funds:batch_detail", pk=batch.pk)
    handle = open(path, "rb")  # noqa: SIM115 (the response closes it)
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"批量代发_{batch.number}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
@perm_required(Perm.FUND_PREPARE)
def batch_result(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk, Perm.FUND_PREPARE)
    form = ResultForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("funds:batch_detail", pk=batch.pk)
    upload = form.cleaned_data["file"]
    try:
        report = bank.result_import(actor=request.user, batch=batch, content=upload.read(), filename=upload.name)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        text = f"已导入银行回单：成功 {report.confirmed} 笔，退回 {report.returned} 笔"
        if report.problems:
            messages.warning(request, f"{text}；{len(report.problems)} 行未处理（见下方回单记录）")
        else:
            messages.success(request, text)
    return redirect("funds:batch_detail", pk=batch.pk)


# --- payee accounts ---------------------------------------------------------------------------


class PayeeAccountList(ListPage):
    title = "收款账户"
    noun = "账户"
    unit = "个"
    table_class = PayeeAccountTable
    filterset_class = PayeeAccountFilterSet
    perm = export_perm = Perm.FUND_VIEW
    ordering = ("owner_key", "-valid_from", "-id")
    testid = "payee-accounts"
    template_name = "funds/bank/account_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return sel.visible_payee_accounts(request.user)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        # a union's own officers (its chair) enter its account from here: a button per union they
        # may change, when they are a few (a town officer goes through 无账户的待付款项 instead)
        unions = list(
            scoped(
                request.user,
                Perm.ORG_CHANGE,
                Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE),
            ).order_by("path")[:4]
        )
        return {"own_unions": unions if len(unions) <= 3 else [], "can_import": bank_import.may_import(request.user)}


payee_account_list = PayeeAccountList.as_view()


class MissingAccounts(ListPage):
    title = "无已核验收款账户的待付款项"
    noun = "笔待付款项"
    unit = ""
    table_class = MissingAccountTable
    filterset_class = BankPaymentFilterSet
    perm = export_perm = Perm.FUND_VIEW
    testid = "missing-accounts"
    template_name = "funds/bank/bank_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return sel.payees_without_account(request.user)


missing_accounts = MissingAccounts.as_view()


@perm_required(Perm.FUND_VIEW)
def payee_account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_scoped_or_404(request.user, Perm.FUND_VIEW, sel.visible_payee_accounts(request.user), pk=pk)
    owner_org = account.organisation or account.person.organisation
    full = None
    if request.method == "POST" and request.POST.get("action") == "full":
        try:
            full = bank.payee_account_full_number(actor=request.user, account=account, request=request)
        except PermissionDenied as exc:
            add_refusal_message(request, exc)
    history = sel.visible_payee_accounts(request.user).filter(owner_key=account.owner_key)
    district = bank._district(owner_org)
    return render(
        request,
        "funds/bank/account_detail.html",
        {
            "account": account,
            "full": full,
            "history": history,
            "can_full": can_at(request.user, Perm.FUND_PREPARE, owner_org),
            "can_verify": account.status == PayeeAccount.Status.PENDING
            and can_at(request.user, Perm.FUND_APPROVE, district)
            and account.entered_by_id != request.user.pk,
            "reject_form": RejectForm(),
        },
    )


@require_POST
@perm_required(Perm.FUND_APPROVE)
def payee_account_verify(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_scoped_or_404(request.user, Perm.FUND_VIEW, PayeeAccount.objects.all(), pk=pk)
    approve = request.POST.get("decision") != "reject"
    try:
        bank.payee_account_verify(
            actor=request.user, account=account, approve=approve, reason=request.POST.get("reason", "")[:200]
        )
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, "账户已核验，可用于银行批次" if approve else "已退回该账户")
    return redirect("funds:payee_account_detail", pk=account.pk)


def _owner(request: HttpRequest, kind: str, pk: int) -> dict[str, Any]:
    if kind == "org":
        org = get_scoped_or_404(request.user, Perm.ORG_VIEW, Organisation.objects.all(), pk=pk)
        return {"organisation": org}
    if kind == "file":
        from assistance.models import HardshipFile

        file = get_scoped_or_404(
            request.user, Perm.ASSISTANCE_VIEW, HardshipFile.objects.select_related("person"), pk=pk
        )
        return {"file": file}
    raise Http404("未知的收款对象")


@perm_required(Perm.ORG_VIEW)
def payee_account_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    owner = _owner(request, kind, pk)
    form = PayeeAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = bank.payee_account_enter(actor=request.user, **owner, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已登记收款账户，待区总工会核验后可用于支付")
            if can_at(request.user, Perm.FUND_VIEW, account.organisation or account.person.organisation):
                return redirect("funds:payee_account_detail", pk=account.pk)
            return redirect("/")
    name = owner["organisation"].name if "organisation" in owner else owner["file"].person.name
    return render(request, "funds/bank/account_form.html", {"form": form, "owner_name": name})


_IMPORT_CACHE_SECONDS = 30 * 60


def _import_cache_key(request: HttpRequest, digest: str) -> str:
    return f"funds:bank-account-import:{request.user.pk}:{digest}"


@perm_required(Perm.FUND_PREPARE)
def payee_account_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview with per-row errors (nothing written) → confirm (docs/bank.md)."""
    from django.core.cache import cache

    if not bank_import.may_import(request.user):
        raise PermissionDenied("只有财务人员可以导入收款账户")
    form = AccountImportForm()
    preview = None
    if request.method == "POST" and request.POST.get("confirm"):
        digest = request.POST.get("confirm", "")[:64]
        pending = cache.get(_import_cache_key(request, digest)) if digest.isalnum() else None
        if pending is None:
            messages.error(request, "待确认的文件已失效，请重新上传")
            return redirect("funds:payee_account_import")
        filename, content = pending
        try:
            accounts = bank_import.account_import_apply(
                actor=request.user, content=content, filename=filename, request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            add_refusal_message(request, exc)
            return redirect("funds:payee_account_import")
        cache.delete(_import_cache_key(request, digest))
        messages.success(
            request, f"已导入 {len(accounts)} 个收款账户，待区总工会核验（核验人不能是导入人）后可用于支付"
        )
        return redirect("funds:payee_account_list")
    if request.method == "POST":
        form = AccountImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                preview = bank_import.account_import_preview(actor=request.user, content=content, filename=upload.name)
            except ValidationError as exc:
                form.add_error("file", "；".join(exc.messages))
            else:
                if preview.ok:
                    cache.set(_import_cache_key(request, preview.digest), (upload.name, content), _IMPORT_CACHE_SECONDS)
    return render(request, "funds/bank/account_import.html", {"form": form, "preview": preview})


# --- returned payments ------------------------------------------------------------------------


class ReturnedList(ListPage):
    title = "银行退回、待重新支付"
    noun = "笔退回的支付"
    unit = ""
    table_class = ReturnedTable
    filterset_class = BankPaymentFilterSet
    perm = export_perm = Perm.FUND_VIEW
    testid = "returned"
    template_name = "funds/bank/bank_list.html"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return sel.returned_to_act_on(request.user)


returned_list = ReturnedList.as_view()


def _returned(request: HttpRequest, pk: int) -> Payment:
    return get_scoped_or_404(
        request.user,
        Perm.FUND_VIEW,
        Payment.objects.filter(status=Payment.Status.RETURNED).select_related("programme", "beneficiary_org"),
        pk=pk,
    )


@perm_required(Perm.FUND_VIEW)
def returned_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _returned(request, pk)
    org = payment.programme.organisation
    reissue = getattr(payment, "reissue_request", None)
    current = bank.verified_accounts([payment.beneficiary_key]).get(payment.beneficiary_key)
    failed_line = payment.batch_lines.select_related("account", "batch").order_by("-pk").first()
    return render(
        request,
        "funds/bank/returned_detail.html",
        {
            "p": payment,
            "reissue": reissue,
            "current": current,
            "failed_line": failed_line,
            "corrected": current is not None and failed_line is not None and current.pk != failed_line.account_id,
            "can_request": reissue is None and can_at(request.user, Perm.FUND_PREPARE, org),
            "can_approve": reissue is not None
            and reissue.payment_id is None
            and can_at(request.user, Perm.FUND_APPROVE, org)
            and request.user.pk not in bank.reissue_barred(reissue),
            "owner_url_kind": "org" if payment.beneficiary_org_id else None,
        },
    )


@require_POST
@perm_required(Perm.FUND_PREPARE)
def returned_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    payment = _returned(request, pk)
    try:
        if action == "request":
            bank.reissue_request(actor=request.user, payment=payment)
            messages.success(request, "已申请重新支付，待另一位财务人员审批")
        elif action == "approve":
            reissue = getattr(payment, "reissue_request", None)
            if reissue is None:
                raise ValidationError("尚未申请重新支付")
            new = bank.reissue_approve(actor=request.user, reissue=reissue)
            messages.success(request, f"已审批重新支付：新支付 {new.reference_prefix}，请编入新的银行批次")
        else:
            raise Http404("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    return redirect("funds:returned_detail", pk=payment.pk)
