"""Money reaching the bank and coming back (docs/bank.md): payee accounts, bank batches, the bank's
result file, reconciliation and re-issue.

The ledger follows the money: approval (``services.cycle_approve``) posts each entitlement as a
payable (Dr fund / Cr 2202); the bank's confirmation posts payable → bank; a return reverses the
approval entry with the bank's reason. Postings go through the ledger's one door (``funds.ledger``).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from core.audit import audit_log
from core.models import AuditEvent
from core.money import format_yuan, to_fen
from core.system import is_system_actor
from core.tabular import TabularColumn, TabularError, cell_text, read_tabular
from funds.ledger import BankAnswer, bank_answers_post, reissue_post
from funds.models import (
    BankBatch,
    BankResultImport,
    BatchLine,
    JournalEntry,
    JournalLine,
    PayeeAccount,
    Payment,
    Reissue,
)
from funds.services import _bank, payable_account
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at

S = Payment.Status

# The district bank's batch-transfer layout: (column header, field). Fields: seq, reference,
# holder_name, number, bank_name, bank_code, amount, purpose, beneficiary. A deployment sets
# ``BANK_BATCH_COLUMNS`` in its settings to the layout its bank asks for.
DEFAULT_BATCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "seq"),
    ("业务参考号", "reference"),
    ("收款人户名", "holder_name"),
    ("收款人账号", "number"),
    ("收款人开户行", "bank_name"),
    ("联行号", "bank_code"),
    ("金额", "amount"),
    ("用途", "purpose"),
)
BATCH_FIELDS = {
    "seq",
    "reference",
    "holder_name",
    "number",
    "bank_name",
    "bank_code",
    "amount",
    "purpose",
    "beneficiary",
}


def batch_columns() -> tuple[tuple[str, str], ...]:
    columns = tuple(getattr(settings, "BANK_BATCH_COLUMNS", DEFAULT_BATCH_COLUMNS))
    unknown = [f for _, f in columns if f not in BATCH_FIELDS]
    if unknown or not columns:
        raise ValidationError(f"银行批量代发模板有未知的列：{'、'.join(unknown) or '（空模板）'}")
    return columns


def _require(actor: Any, perm: str, organisation: Organisation) -> None:
    if actor is None:
        raise PermissionDenied("未指明操作人：资金业务须由具体人员办理")
    if is_system_actor(actor):
        raise PermissionDenied("系统任务不能办理银行支付：须由有权限的人员办理")
    if not can_at(actor, perm, organisation):
        raise PermissionDenied("您没有在该组织办理此项资金业务的权限")


def _district(org: Organisation) -> Organisation:
    return org if org.is_root() else Organisation.objects.get(path=org.path[: Organisation.steplen])


# --- payee accounts ---------------------------------------------------------------------------

_DIGITS = re.compile(r"^\d{8,30}$")
_BANK_CODE = re.compile(r"^\d{12}$")


def normalize_account_number(text: str) -> str:
    """Digits only: spaces, full-width digits and dashes typed or pasted are dropped."""
    text = (text or "").translate({0x3000: " "})
    text = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in text)
    return re.sub(r"[\s\-]", "", text)


def owner_key_of(*, organisation: Organisation | None = None, person: Any = None) -> str:
    if organisation is not None:
        return f"org:{organisation.pk}"
    if person is not None:
        return f"person:{person.pk}"
    raise ValidationError("收款账户须属于一个基层工会或一名困难职工")


def payee_account_enter(
    *,
    actor: Any,
    holder_name: str,
    number: str,
    bank_name: str,
    bank_code: str,
    valid_from: date,
    organisation: Organisation | None = None,
    file: Any = None,
    person: Any = None,
    source: str = PayeeAccount.Source.ENTERED,
    note: str = "",
) -> PayeeAccount:
    """Enter (or import) a payee's bank account: pending until the district verifies it.

    A union's account is entered by whoever may change the union (its chair, its town) or by
    finance; a person's, with their hardship file, by finance or the assistance officers processing
    the file. A worker paid without a hardship file (a relief applicant) is given as ``person``: their
    account is entered by finance only."""
    if file is not None:
        person = file.person
    if organisation is None and person is None:
        raise ValidationError("收款账户须属于一个基层工会或一名困难职工的档案")
    if organisation is not None and not organisation.is_grassroots:
        raise ValidationError("只能为基层工会登记收款账户")
    if actor is None:
        raise PermissionDenied("未指明操作人")
    if is_system_actor(actor):
        if source != PayeeAccount.Source.IMPORTED:
            raise PermissionDenied("系统任务只能导入收款账户")
    elif organisation is not None:
        if not (can_at(actor, Perm.ORG_CHANGE, organisation) or can_at(actor, Perm.FUND_PREPARE, organisation)):
            raise PermissionDenied("您没有为该工会登记收款账户的权限")
    elif file is None:
        if not can_at(actor, Perm.FUND_PREPARE, person.organisation):
            raise PermissionDenied("您没有为该职工登记收款账户的权限")
    elif not (
        can_at(actor, Perm.FUND_PREPARE, file.organisation) or can_at(actor, Perm.ASSISTANCE_PROCESS, file.organisation)
    ):
        raise PermissionDenied("您没有为该困难职工登记收款账户的权限")
    holder_name = (holder_name or "").strip()
    digits = normalize_account_number(number)
    bank_name = (bank_name or "").strip()
    bank_code = normalize_account_number(bank_code)
    errors: dict[str, str] = {}
    if not holder_name:
        errors["holder_name"] = "请填写户名"
    if not _DIGITS.match(digits):
        errors["number"] = "账号应为 8 至 30 位数字"
    if not bank_name:
        errors["bank_name"] = "请填写开户行"
    if not _BANK_CODE.match(bank_code):
        errors["bank_code"] = "联行号应为 12 位数字"
    if valid_from is None or not (2000 <= valid_from.year <= 2100):
        errors["valid_from"] = "启用日期无效"
    if errors:
        raise ValidationError(errors)
    key = owner_key_of(organisation=organisation, person=person)
    account = PayeeAccount(
        owner_key=key,
        organisation=organisation,
        person=person,
        file=file,
        holder_name=holder_name[:60],
        number=digits,
        number_index=PayeeAccount._meta.get_field("number_index").value_for(digits),
        bank_name=bank_name[:80],
        bank_code=bank_code,
        valid_from=valid_from,
        source=source,
        note=(note or "")[:200],
        entered_by=actor,
    )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError("该收款对象已有一个待核验的账户：请先核验或退回它") from None
    return account


def payee_account_verify(*, actor: Any, account: PayeeAccount, approve: bool = True, reason: str = "") -> PayeeAccount:
    """The district verifies an account before first use (never whoever entered it). A verified
    account supersedes the payee's earlier one (kept, dated, marked 已停用)."""
    owner_org = account.organisation or account.person.organisation
    _require(actor, Perm.FUND_APPROVE, _district(owner_org))
    with transaction.atomic():
        locked = PayeeAccount.objects.select_for_update().get(pk=account.pk)
        if locked.status != PayeeAccount.Status.PENDING:
            raise ValidationError(f"该账户当前为“{locked.get_status_display()}”，不能核验")
        if locked.entered_by_id == actor.pk:
            raise ValidationError("核验人不能是录入人：账户须由另一位人员核验")
        now = timezone.now()
        if not approve:
            if not (reason or "").strip():
                raise ValidationError({"reason": "请填写未通过的原因"})
            locked.status = PayeeAccount.Status.REJECTED
            locked.rejection_reason = reason.strip()[:200]
            locked.verified_by, locked.verified_at = actor, now
            locked.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])
            return locked
        today = timezone.localdate()
        PayeeAccount.objects.filter(owner_key=locked.owner_key, status=PayeeAccount.Status.VERIFIED).update(
            status=PayeeAccount.Status.SUPERSEDED, valid_to=today
        )
        locked.status = PayeeAccount.Status.VERIFIED
        locked.verified_by, locked.verified_at = actor, now
        locked.save(update_fields=["status", "verified_by", "verified_at"])
    return locked


def payee_account_full_number(*, actor: Any, account: PayeeAccount, request: Any = None) -> str:
    """The whole account number, for finance over the payee; every view audited."""
    owner_org = account.organisation or account.person.organisation
    _require(actor, Perm.FUND_PREPARE, owner_org)
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=account,
        summary=f"查看收款账户完整账号：{account.owner_name} {account.masked_number}",
    )
    return account.number


def verified_accounts(keys: Iterable[str]) -> dict[str, PayeeAccount]:
    return {
        a.owner_key: a
        for a in PayeeAccount.objects.filter(owner_key__in=list(keys), status=PayeeAccount.Status.VERIFIED)
    }


# --- batches ----------------------------------------------------------------------------------


def amounts_checksum(lines: Iterable[tuple[str, int]]) -> str:
    """SHA-256 over each (reference, amount in fen) in order: the bank and we compute the same."""
    digest = hashlib.sha256()
    for reference, fen in lines:
        digest.update(f"{reference}|{fen}\n".encode())
    return digest.hexdigest()[:16].upper()


def batch_create(*, actor: Any, payments: QuerySet[Payment], note: str = "") -> BankBatch:
    """Put approved payments into a new batch. Refused whole, naming them, when a payee has no
    verified account, a payment is not approved-and-unbatched, or the payments leave by different
    bank accounts. The same payment in two open batches is refused by the database too."""
    bank = _bank()
    district = _district(bank.organisation)
    _require(actor, Perm.FUND_PREPARE, district)
    with transaction.atomic():
        # one read of the chosen payments (locked), never a list of ids sent back to the database
        # (50,000 ids exceed SQLite's limit of bound parameters): later statements reuse the query
        chosen = Payment.objects.filter(pk__in=payments.values("pk"))
        rows = list(
            chosen.select_for_update(of=("self",))
            .annotate(
                bank_id=F("programme__bank_id"),
                reversed_=Exists(JournalEntry.objects.filter(reversal_of=OuterRef("entry_id"))),
            )
            .order_by("pk")
            .values("pk", "status", "bank_id", "reversed_", "beneficiary_key", "beneficiary_name", "amount")
        )
        if not rows:
            raise ValidationError("没有选中可编入批次的支付")
        cancelled = [p["beneficiary_name"] for p in rows if p["reversed_"]]
        if cancelled:
            raise ValidationError(f"以下支付的凭证已冲销，不能编入银行批次：{'、'.join(cancelled[:5])}")
        wrong = [p for p in rows if p["status"] != S.APPROVED]
        if wrong:
            names = "、".join(f"{p['beneficiary_name']}（{S(p['status']).label}）" for p in wrong[:5])
            raise ValidationError(f"只有“已审批待付”的支付才能编入批次：{names}")
        banks = {p["bank_id"] for p in rows}
        if len(banks) > 1:
            raise ValidationError("选中的支付来自不同的付款账户，请按付款账户分别编制批次")
        accounts = dict(
            PayeeAccount.objects.filter(
                status=PayeeAccount.Status.VERIFIED, owner_key__in=chosen.values("beneficiary_key")
            ).values_list("owner_key", "pk")
        )
        missing = [p["beneficiary_name"] for p in rows if p["beneficiary_key"] not in accounts]
        if missing:
            more = f"等 {len(missing)} 个" if len(missing) > 10 else ""
            raise ValidationError(
                f"以下收款对象没有已核验的银行账户，不能编入银行批次：{'、'.join(missing[:10])}{more}"
            )
        batch = BankBatch.objects.create(
            number=f"TMP-{timezone.now():%H%M%S%f}",
            bank_account_id=banks.pop(),
            organisation=district,
            created_by=actor,
            note=(note or "")[:200],
        )
        batch.number = f"YH{timezone.localdate():%Y%m%d}-{batch.pk:05d}"
        lines = [
            BatchLine(
                batch=batch,
                payment_id=p["pk"],
                seq=n,
                reference=f"{batch.number}-{n:05d}",
                amount=p["amount"],
                account_id=accounts[p["beneficiary_key"]],
            )
            for n, p in enumerate(rows, start=1)
        ]
        try:
            with transaction.atomic():
                BatchLine.objects.bulk_create(lines, batch_size=2000)
        except IntegrityError:
            raise ValidationError("有支付已在另一个未完成的银行批次中") from None
        moved = _batch_payments(batch, S.APPROVED).lifecycle_update(status=S.BATCHED, status_at=timezone.now())
        if moved != len(rows):
            raise ValidationError("有支付的状态已被他人改变，请刷新后重试")
        batch.count = len(lines)
        batch.total = sum((ln.amount for ln in lines), Decimal("0.00"))
        batch.checksum = amounts_checksum((ln.reference, to_fen(ln.amount)) for ln in lines)
        batch.save(update_fields=["number", "count", "total", "checksum"])
    return batch


def _batch_payments(batch: BankBatch, status: str) -> QuerySet[Payment]:
    """The batch's live payments in ``status`` (a subquery, whatever the batch's size)."""
    return Payment.objects.filter(
        pk__in=BatchLine.objects.filter(batch=batch, active=True).values("payment_id"), status=status
    )


def batch_cancel(*, actor: Any, batch: BankBatch) -> BankBatch:
    """A batch not yet sent is withdrawn whole: its payments are approved again, free for another batch."""
    _require(actor, Perm.FUND_PREPARE, batch.organisation)
    with transaction.atomic():
        locked = BankBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != BankBatch.State.DRAFT:
            raise ValidationError("批次已发送银行，已锁定，不能作废")
        ids = list(locked.lines.filter(active=True).values_list("payment_id", flat=True))
        locked.lines.update(active=False)
        Payment.objects.filter(pk__in=ids, status=S.BATCHED).lifecycle_update(
            status=S.APPROVED, status_at=timezone.now()
        )
        locked.state = BankBatch.State.CANCELLED
        locked.save(update_fields=["state"])
    return locked


def batch_send(*, actor: Any, batch: BankBatch) -> BankBatch:
    """The file went to the bank: the batch is locked and its payments are sent."""
    _require(actor, Perm.FUND_PREPARE, batch.organisation)
    with transaction.atomic():
        locked = BankBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != BankBatch.State.DRAFT:
            raise ValidationError(f"批次当前为“{locked.get_state_display()}”，不能再次发送")
        expected = locked.lines.filter(active=True).count()
        moved = _batch_payments(locked, S.BATCHED).lifecycle_update(status=S.SENT, status_at=timezone.now())
        if moved != expected:
            raise ValidationError("批次中有支付的状态已变化，不能发送")
        locked.state = BankBatch.State.SENT
        locked.sent_by, locked.sent_at = actor, timezone.now()
        locked.save(update_fields=["state", "sent_by", "sent_at"])
    return locked


def batch_file_rows(batch: BankBatch) -> tuple[list[str], list[list[Any]], list[Any]]:
    """The bank file's headers, rows (with the whole account numbers) and totals row."""
    columns = batch_columns()
    lines = batch.lines.filter(active=True).select_related("account", "payment__programme").order_by("seq")
    rows = []
    for ln in lines:
        values = {
            "seq": ln.seq,
            "reference": ln.reference,
            "holder_name": ln.account.holder_name,
            "number": ln.account.number,
            "bank_name": ln.account.bank_name,
            "bank_code": ln.account.bank_code,
            "amount": ln.amount,
            "purpose": f"{ln.payment.programme.name} {ln.payment.period_key}"[:60],
            "beneficiary": ln.payment.beneficiary_name,
        }
        rows.append([values[f] for _, f in columns])
    totals: list[Any] = ["" for _ in columns]
    totals[0] = f"合计 {batch.count} 笔"
    for i, (_, f) in enumerate(columns):
        if f == "amount":
            totals[i] = batch.total
    return [h for h, _ in columns], rows, totals


def batch_file(*, actor: Any, batch: BankBatch, request: Any = None) -> str:
    """Write the bank's batch-transfer xlsx (the only place a whole account number leaves the
    platform); audited as an export. Returns the path of a temporary file."""
    _require(actor, Perm.FUND_PREPARE, batch.organisation)
    batch = BankBatch.objects.get(pk=batch.pk)
    if batch.state == BankBatch.State.CANCELLED:
        raise ValidationError("批次已作废，不能导出")
    headers, rows, totals = batch_file_rows(batch)
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    tmp.close()
    wb = xlsxwriter.Workbook(tmp.name)
    try:
        ws = wb.add_worksheet("批量代发")
        bold = wb.add_format({"bold": True})
        head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        money = wb.add_format({"num_format": "0.00"})
        ws.write_string(0, 0, "批次号", bold)
        ws.write_string(0, 1, batch.number)
        ws.write_string(0, 2, "笔数", bold)
        ws.write_number(0, 3, batch.count)
        ws.write_string(0, 4, "金额合计", bold)
        ws.write_number(0, 5, float(batch.total), money)
        ws.write_string(0, 6, "金额校验码", bold)
        ws.write_string(0, 7, batch.checksum)
        for c, title in enumerate(headers):
            ws.write_string(2, c, title, head)
            ws.set_column(c, c, 22)
        r = 3
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), money)
                elif isinstance(value, int):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))  # an account number stays text
        for c, value in enumerate(totals):
            if isinstance(value, Decimal):
                ws.write_number(r + 1, c, float(value), money)
            elif value:
                ws.write_string(r + 1, c, str(value), bold)
    finally:
        wb.close()
    audit_log(
        AuditEvent.Kind.EXPORT,
        user=actor,
        request=request,
        obj=batch,
        summary=f"导出银行批量代发文件 {batch.number}（{batch.count} 笔，含完整账号）",
    )
    return tmp.name


# --- the bank's answer ------------------------------------------------------------------------

RESULT_COLUMNS = (
    TabularColumn(
        "reference", "业务参考号", required=True, aliases=("参考号", "客户参考号", "交易参考号", "流水参考号")
    ),
    TabularColumn("amount", "金额", required=True, aliases=("交易金额", "付款金额", "代发金额")),
    TabularColumn("result", "处理结果", required=True, aliases=("结果", "状态", "交易状态", "处理状态")),
    TabularColumn("reason", "失败原因", aliases=("原因", "备注", "说明", "退回原因")),
)
SUCCESS = {"成功", "交易成功", "已成功", "处理成功", "已入账", "success", "s"}
FAILURE = {"失败", "交易失败", "退回", "已退回", "退票", "处理失败", "fail", "failed", "f"}


@dataclass
class ResultReport:
    lines: int = 0
    confirmed: int = 0
    returned: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    record: BankResultImport | None = None

    def problem(self, row: int, reference: str, kind: str, message: str) -> None:
        self.problems.append({"row": row, "reference": reference, "kind": kind, "message": message})


PROBLEM_KINDS = {
    "unknown": "未知参考号",
    "amount": "金额不符",
    "duplicate": "重复回单",
    "answered": "已有结果",
    "unsent": "未发送",
    "invalid": "无法识别",
}


def _amount(value: Any) -> Decimal | None:
    text = cell_text(value).replace(",", "").replace("，", "").replace("￥", "").replace("¥", "").strip()
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(Decimal("0.01")) if amount == amount.quantize(Decimal("0.01")) else None


def result_import(
    *, actor: Any, batch: BankBatch, content: bytes, filename: str, on: date | None = None
) -> ResultReport:
    """Read the bank's result file for ``batch`` and apply each line that matches a sent payment of
    it; report, and apply nothing for, an unknown reference, an amount that differs, a reference
    answered twice in the file or already answered, or a result that cannot be read. The file as
    a whole unreadable → ``ValidationError`` and nothing changes."""
    _require(actor, Perm.FUND_PREPARE, batch.organisation)
    batch = BankBatch.objects.get(pk=batch.pk)
    if batch.state not in (BankBatch.State.SENT, BankBatch.State.RECONCILED):
        raise ValidationError("批次尚未发送银行，不能导入银行结果")
    try:
        table = read_tabular(content, filename=filename, columns=RESULT_COLUMNS)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    pos = {k: i for i, k in enumerate(table.keys) if k}

    def cell(cells: Sequence[Any], key: str) -> Any:
        i = pos.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    report = ResultReport()
    parsed = []
    for row_no, cells in table.rows:
        report.lines += 1
        parsed.append((row_no, cell_text(cell(cells, "reference")).strip(), cells))
    counts = Counter(ref for _, ref, _ in parsed)
    fund_line = JournalLine.objects.filter(entry_id=OuterRef("payment__entry_id"), debit__gt=0).values("account_id")[:1]
    with transaction.atomic():
        BankBatch.objects.select_for_update().get(pk=batch.pk)
        known = {
            ln["reference"]: ln
            for ln in batch.lines.filter(active=True).values(
                "id",
                "reference",
                "amount",
                "result",
                "payment_id",
                "payment__status",
                "payment__beneficiary_name",
                "payment__entry__organisation_id",
                "payment__entry__rule",
                "payment__entry_id",
                fund_account=Subquery(fund_line),
            )
        }
        answers: list[BankAnswer] = []
        for row_no, ref, cells in parsed:
            if not ref:
                report.problem(row_no, "", "invalid", f"第 {row_no} 行：缺少业务参考号")
                continue
            if counts[ref] > 1:
                report.problem(
                    row_no, ref, "duplicate", f"第 {row_no} 行：参考号 {ref} 在文件中出现 {counts[ref]} 次，均未处理"
                )
                continue
            line = known.get(ref)
            if line is None:
                report.problem(row_no, ref, "unknown", f"第 {row_no} 行：参考号 {ref} 不属于批次 {batch.number}")
                continue
            if line["result"]:
                report.problem(row_no, ref, "answered", f"第 {row_no} 行：参考号 {ref} 已有银行结果，未重复处理")
                continue
            if line["payment__status"] != S.SENT:
                report.problem(row_no, ref, "unsent", f"第 {row_no} 行：参考号 {ref} 的支付不在“已发送银行”状态")
                continue
            amount = _amount(cell(cells, "amount"))
            if amount is None:
                report.problem(row_no, ref, "invalid", f"第 {row_no} 行：金额无效")
                continue
            if amount != line["amount"]:
                report.problem(
                    row_no,
                    ref,
                    "amount",
                    f"第 {row_no} 行：参考号 {ref} 金额 {format_yuan(amount)} 元与批次金额 "
                    f"{format_yuan(line['amount'])} 元不符",
                )
                continue
            outcome = cell_text(cell(cells, "result")).strip().lower()
            if outcome in SUCCESS:
                confirmed = True
            elif outcome in FAILURE:
                confirmed = False
            else:
                report.problem(
                    row_no, ref, "invalid", f"第 {row_no} 行：处理结果“{outcome}”无法识别（应为 成功 或 失败）"
                )
                continue
            reason = cell_text(cell(cells, "reason")).strip()[:200]
            answers.append(
                BankAnswer(
                    line_id=line["id"],
                    payment_id=line["payment_id"],
                    reference=ref,
                    confirmed=confirmed,
                    reason="" if confirmed else (reason or "银行未说明原因"),
                    amount=line["amount"],
                    name=line["payment__beneficiary_name"],
                    organisation_id=line["payment__entry__organisation_id"],
                    rule=line["payment__entry__rule"],
                    entry_id=line["payment__entry_id"],
                    fund_account_id=line["fund_account"],
                )
            )
        record = BankResultImport.objects.create(
            batch=batch,
            filename=(filename or "")[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            lines=report.lines,
            problems=report.problems[:2000],
            imported_by=actor,
        )
        report.confirmed, report.returned = bank_answers_post(
            answers,
            day=on or timezone.localdate(),
            bank_account_id=batch.bank_account_id,
            payable_account_id=payable_account().pk,
            actor_id=actor.pk,
            import_id=record.pk,
        )
        record.confirmed, record.returned = report.confirmed, report.returned
        record.save(update_fields=["confirmed", "returned"])
        if not batch.lines.filter(active=True, result="").exists():
            BankBatch.objects.filter(pk=batch.pk).update(state=BankBatch.State.RECONCILED)
        report.record = record
    audit_log(
        AuditEvent.Kind.IMPORT,
        user=actor,
        obj=batch,
        summary=f"导入银行回单 {batch.number}：成功 {report.confirmed}，退回 {report.returned}，未处理 {len(report.problems)}",
    )
    return report


# --- re-issue ---------------------------------------------------------------------------------


def reissue_request(*, actor: Any, payment: Payment) -> Reissue:
    """Ask to pay a returned payment again, into the payee's corrected account: the account in use
    now must be verified and differ from the one the bank returned."""
    _require(actor, Perm.FUND_PREPARE, payment.programme.organisation)
    if payment.status != S.RETURNED:
        raise ValidationError("只有银行退回的支付才能申请重新支付")
    if Reissue.objects.filter(returned=payment).exists():
        raise ValidationError("该笔退回的支付已申请过重新支付")
    account = verified_accounts([payment.beneficiary_key]).get(payment.beneficiary_key)
    failed = payment.batch_lines.order_by("-pk").values_list("account_id", flat=True).first()
    if account is None or account.pk == failed:
        raise ValidationError("请先更正收款账户并经区总工会核验，再申请重新支付")
    try:
        with transaction.atomic():
            return Reissue.objects.create(returned=payment, account=account, requested_by=actor)
    except IntegrityError:
        raise ValidationError("该笔退回的支付已申请过重新支付") from None


def reissue_barred(reissue: Reissue) -> set[int]:
    """Who may not approve a re-issue: whoever asked for it and whoever entered the corrected account."""
    return {reissue.requested_by_id, reissue.account.entered_by_id}


def reissue_approve(*, actor: Any, reissue: Reissue, on: date | None = None) -> Payment:
    """Approve a re-issue: a new payment linked to the returned one, owed again (Dr fund / Cr payable),
    to go into a new batch."""
    returned = reissue.returned
    _require(actor, Perm.FUND_APPROVE, returned.programme.organisation)
    with transaction.atomic():
        locked = Reissue.objects.select_for_update().select_related("account").get(pk=reissue.pk)
        if locked.payment_id:
            raise ValidationError("该重新支付已审批")
        if actor.pk in reissue_barred(locked):
            raise ValidationError("审批人不能是申请重新支付或更正收款账户的人员：须由另一位人员审批")
        current = verified_accounts([returned.beneficiary_key]).get(returned.beneficiary_key)
        if current is None or current.pk != locked.account_id:
            raise ValidationError("收款账户在申请后又有变动：请重新申请")
        payment = reissue_post(
            Payment.objects.select_related("entry").prefetch_related("entry__lines").get(pk=returned.pk),
            day=on or timezone.localdate(),
            payable_account_id=payable_account().pk,
            actor_id=locked.requested_by_id,
            approver_id=actor.pk,
        )
        locked.payment = payment
        locked.approved_by, locked.approved_at = actor, timezone.now()
        locked.save(update_fields=["payment", "approved_by", "approved_at"])
    return payment


# --- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    sent: tuple[int, Decimal]
    confirmed: tuple[int, Decimal]
    returned: tuple[int, Decimal]
    unanswered: tuple[int, Decimal]


def reconciliation(batch: BankBatch) -> Reconciliation:
    from django.db.models import Count, Sum

    rows = {
        r["result"]: (r["n"], r["s"] or Decimal("0.00"))
        for r in batch.lines.filter(active=True).values("result").annotate(n=Count("id"), s=Sum("amount"))
    }
    zero = (0, Decimal("0.00"))
    confirmed, returned, unanswered = rows.get("confirmed", zero), rows.get("returned", zero), rows.get("", zero)
    sent = (
        (0, Decimal("0.00"))
        if batch.state == BankBatch.State.DRAFT
        else (
            confirmed[0] + returned[0] + unanswered[0],
            confirmed[1] + returned[1] + unanswered[1],
        )
    )
    return Reconciliation(sent=sent, confirmed=confirmed, returned=returned, unanswered=unanswered)


def payable_balance() -> Decimal:
    from funds.selectors import account_balance

    return account_balance(payable_account())
