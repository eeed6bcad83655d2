"""Programme data that changes: the tax bureau's dues import and start-up grant usage."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from core.excel import write_xlsx
from core.money import format_yuan, to_yuan
from core.system import is_system_actor
from core.tabular import TabularColumn, TabularError, read_tabular
from core.validators import normalize_credit_code, validate_credit_code
from funds.models import Payment
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at
from programmes.models import DuesImport, DuesRecord, GrantUsage

COLUMNS = {
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "name": ("单位名称", "企业名称", "名称"),
    "year": ("年度", "所属年度", "年份"),
    "payroll_base": ("工资总额", "计缴工资总额", "工资基数"),
    "dues_paid": ("已缴工会经费", "工会经费", "实缴金额", "缴纳金额"),
}
LABELS = {k: v[0] for k, v in COLUMNS.items()}
TABULAR_COLUMNS = tuple(TabularColumn(k, v[0], True, v[1:]) for k, v in COLUMNS.items())


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行“{self.field}”：{self.message}"


@dataclass
class DuesImportResult:
    rows: int = 0
    matched: int = 0
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    raw_rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    batch: DuesImport | None = None
    dry_run: bool = False
    sheet: str = ""
    unknown_headers: list[str] = field(default_factory=list)
    # Against the figures already held for the file's year(s): a re-import replaces them.
    added: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)  # credit code, name, year, old → new
    removed: list[dict[str, Any]] = field(default_factory=list)  # held, absent from the new file
    unchanged: int = 0
    digest: str = ""  # of the uploaded bytes: what a confirmation of the replacement refers to
    needs_confirmation: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_money(value: Any) -> Decimal:
    if isinstance(value, float):
        # Excel stores numbers as binary floats: repr gives the shortest text that round-trips.
        value = repr(value)
    elif isinstance(value, int):
        value = str(value)
    return to_yuan(_cell_text(value))


def dues_import(
    *,
    actor: Any,
    district: Organisation,
    filename: str,
    content: bytes,
    year: int | None = None,
    dry_run: bool = False,
    confirm_replace: str = "",
) -> DuesImportResult:
    """Validate every row; save all of them or none. Unmatched credit codes are kept and reported.

    A year's file *replaces* that year's figures: rows held for the year but absent from the new
    file are removed, changed amounts overwritten. When the file would change or remove figures
    already held, nothing is written until the caller confirms with ``confirm_replace`` = the
    result's ``digest`` (the preview lists what changes)."""
    if actor is None or not (is_system_actor(actor) or can_at(actor, Perm.FUND_PREPARE, district)):
        raise PermissionDenied("您没有导入税务代收经费数据的权限")
    result = DuesImportResult(dry_run=dry_run, digest=hashlib.sha256(content).hexdigest())
    try:
        table = read_tabular(content, filename=filename, columns=TABULAR_COLUMNS)
    except TabularError as exc:
        result.errors.append(RowError(1, "表头", str(exc)))
        return result
    result.headers = [_cell_text(h) for h in table.headers]
    result.sheet = table.sheet
    result.unknown_headers = table.unknown_headers
    col = {key: i for i, key in enumerate(table.keys) if key is not None}
    # Matched on the one normal form of a code (the file's cells go through validate_credit_code,
    # which normalises the same way), so a union whose code was typed full-width is still found.
    orgs = {
        normalize_credit_code(code): pk
        for code, pk in Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .exclude(credit_code="")
        .values_list("credit_code", "id")
    }
    seen: dict[str, int] = {}
    records: list[DuesRecord] = []
    for n, row in table.rows:
        result.raw_rows.append((n, list(row)))
        cells = {k: (row[i] if i < len(row) else None) for k, i in col.items()}
        errors_before = len(result.errors)
        try:
            code = validate_credit_code(_cell_text(cells["credit_code"]))
        except ValidationError as exc:
            result.errors.append(RowError(n, LABELS["credit_code"], "；".join(exc.messages)))
            code = ""
        name = _cell_text(cells["name"])
        if not name:
            result.errors.append(RowError(n, LABELS["name"], "不能为空"))
        try:
            row_year = int(_cell_text(cells["year"]))
            if not 2000 <= row_year <= 2100:
                raise ValueError
            if year is not None and row_year != year:
                result.errors.append(RowError(n, LABELS["year"], f"应为 {year}，实际为 {row_year}"))
        except ValueError:
            result.errors.append(RowError(n, LABELS["year"], f"应为四位年份，实际为“{_cell_text(cells['year'])}”"))
            row_year = 0
        amounts = {}
        for key in ("payroll_base", "dues_paid"):
            try:
                amounts[key] = _cell_money(cells[key])
                if amounts[key] < 0:
                    result.errors.append(RowError(n, LABELS[key], "不能为负数"))
            except (ValidationError, TypeError) as exc:
                msg = "；".join(exc.messages) if isinstance(exc, ValidationError) else "应为金额"
                result.errors.append(RowError(n, LABELS[key], msg))
        if code and row_year:
            dup = seen.get(f"{code}/{row_year}")
            if dup:
                result.errors.append(RowError(n, LABELS["credit_code"], f"与第 {dup} 行重复（同一单位同一年度）"))
            seen[f"{code}/{row_year}"] = n
        if len(result.errors) > errors_before:
            continue
        org_id = orgs.get(code)
        if org_id is None:
            result.unmatched.append({"row": n, "credit_code": code, "name": name, "dues_paid": amounts["dues_paid"]})
        records.append(
            DuesRecord(
                credit_code=code,
                name=name[:200],
                year=row_year,
                payroll_base=amounts["payroll_base"],
                dues_paid=amounts["dues_paid"],
                organisation_id=org_id,
            )
        )
    result.rows = len(result.raw_rows)
    result.matched = sum(1 for r in records if r.organisation_id)
    if result.rows == 0:
        result.errors.append(RowError(table.header_row + 1, "数据", "文件中没有数据行"))
    if result.errors:
        return result
    years = {r.year for r in records}
    held = {(d.credit_code, d.year): d for d in DuesRecord.objects.filter(year__in=years)}
    incoming = {(r.credit_code, r.year) for r in records}
    for r in records:
        old = held.get((r.credit_code, r.year))
        if old is None:
            result.added += 1
        elif (old.dues_paid, old.payroll_base, old.name) != (r.dues_paid, r.payroll_base, r.name):
            result.changed.append(
                {
                    "credit_code": r.credit_code,
                    "name": r.name,
                    "year": r.year,
                    "old_dues": old.dues_paid,
                    "new_dues": r.dues_paid,
                    "old_payroll": old.payroll_base,
                    "new_payroll": r.payroll_base,
                }
            )
        else:
            result.unchanged += 1
    result.removed = [
        {"credit_code": d.credit_code, "name": d.name, "year": d.year, "dues_paid": d.dues_paid}
        for key, d in sorted(held.items())
        if key not in incoming
    ]
    result.needs_confirmation = bool(result.changed or result.removed) and confirm_replace != result.digest
    if dry_run or result.needs_confirmation:
        return result
    with transaction.atomic():
        removed_ids = [held[(r["credit_code"], r["year"])].pk for r in result.removed]
        if removed_ids:
            DuesRecord.objects.filter(pk__in=removed_ids).delete()
        batch = DuesImport.objects.create(
            year=year or min(years),
            filename=filename[:200],
            rows=result.rows,
            matched=result.matched,
            unmatched=len(result.unmatched),
            imported_by=actor,
            organisation=district,
        )
        for r in records:
            r.batch = batch
        DuesRecord.objects.bulk_create(
            records,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["credit_code", "year"],
            update_fields=["name", "payroll_base", "dues_paid", "organisation", "batch"],
        )
    result.batch = batch
    return result


def dues_error_workbook(result: DuesImportResult) -> bytes:
    """The original rows plus an error column, to fix and upload again."""
    by_row: dict[int, list[str]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(f"{e.field}：{e.message}")
    header_errors = by_row.get(1, [])
    rows = [[*row, "；".join(by_row.get(n, []))] for n, row in result.raw_rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "errors.xlsx"
        headers = [*(result.headers or list(LABELS.values())), "错误说明"]
        if header_errors:
            rows.insert(0, ["" for _ in headers[:-1]] + ["；".join(header_errors)])
        write_xlsx(str(path), "错误报告", headers, rows)
        return path.read_bytes()


def grant_usage_record(
    *, actor: Any, payment: Payment, spent_on: date, amount: Decimal | str, purpose: str
) -> GrantUsage:
    """A granted union records what it spent the grant on (its own officers, or the district)."""
    org = payment.beneficiary_org
    if org is None or not can_at(actor, Perm.ORG_CHANGE, org):
        raise PermissionDenied("只有受资助工会或其上级的干部可以登记经费使用")
    amount = to_yuan(amount)
    if amount <= 0:
        raise ValidationError({"amount": "金额须大于零"})
    if not purpose.strip():
        raise ValidationError({"purpose": "请填写用途"})
    if spent_on < payment.paid_at.date():
        raise ValidationError({"spent_on": "支出日期不能早于拨付日期"})
    with transaction.atomic():
        Payment.objects.select_for_update().filter(pk=payment.pk).exists()
        spent = payment.usages.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if spent + amount > payment.amount:
            raise ValidationError(
                {
                    "amount": f"累计使用将超过拨付金额：已用 {format_yuan(spent)} 元，拨付 {format_yuan(payment.amount)} 元"
                }
            )
        return GrantUsage.objects.create(
            payment=payment, spent_on=spent_on, amount=amount, purpose=purpose.strip(), recorded_by=actor
        )
