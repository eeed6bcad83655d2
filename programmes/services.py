"""Programme data that changes: the tax bureau's dues import and start-up grant usage."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from python_calamine import CalamineWorkbook

from core.excel import write_xlsx
from core.money import format_yuan, to_yuan
from core.system import is_system_actor
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

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(filename: str, content: bytes) -> list[list[Any]]:
    if filename.lower().endswith(".csv"):
        text = content.decode("utf-8-sig") if not content.startswith(b"\xff\xfe") else content.decode("utf-16")
        return [row for row in csv.reader(io.StringIO(text))]
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise ValidationError("无法读取文件：请上传 xlsx/xls 或 UTF-8 编码的 csv 文件") from None


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
    *, actor: Any, district: Organisation, filename: str, content: bytes, year: int | None = None, dry_run: bool = False
) -> DuesImportResult:
    """Validate every row; save all of them or none. Unmatched credit codes are kept and reported."""
    if actor is None or not (is_system_actor(actor) or can_at(actor, Perm.FUND_PREPARE, district)):
        raise PermissionDenied("您没有导入税务代收经费数据的权限")
    raw = _read_rows(filename, content)
    result = DuesImportResult(dry_run=dry_run)
    if not raw:
        result.errors.append(RowError(1, "表头", "文件为空"))
        return result
    headers = [_cell_text(h) for h in raw[0]]
    result.headers = headers
    col: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(headers):
            if h in names:
                col[key] = i
                break
        else:
            result.errors.append(RowError(1, LABELS[key], f"缺少列“{LABELS[key]}”"))
    if result.errors:
        return result
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
    for n, row in enumerate(raw[1:], start=2):
        if not any(_cell_text(c) for c in row):
            continue
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
        result.errors.append(RowError(2, "数据", "文件中没有数据行"))
    if result.errors or dry_run:
        return result
    years = {r.year for r in records}
    with transaction.atomic():
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
