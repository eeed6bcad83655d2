"""Payee accounts imported from a file (docs/bank.md, “导入收款账户”).

A finance or district officer uploads an xlsx/xls/ods/csv read by the shared table reader
(``core.tabular``): per row a union (组织编码) or a person (身份证号 or 档案编号), 户名, 账号, 开户行,
联行号, 生效日期. ``account_import_preview`` checks every row and writes nothing; the page keeps the
checked file until the officer confirms, and ``account_import_apply`` then enters each account through
``bank.payee_account_enter`` (source 导入) in one transaction, all or nothing. Imported accounts are
pending like entered ones: the district verifies them, never the importer.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit import audit_log
from core.models import AuditEvent
from core.tabular import TabularColumn, TabularError, cell_text, read_tabular
from funds import bank
from funds.models import PayeeAccount
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at

MAX_IMPORT_ROWS = 5000

ACCOUNT_COLUMNS = (
    TabularColumn("org_code", "组织编码", aliases=("工会编码", "单位编码")),
    TabularColumn("id_number", "身份证号", aliases=("身份证号码", "公民身份号码")),
    TabularColumn("file_no", "档案编号", aliases=("困难档案编号",)),
    TabularColumn("holder_name", "户名", required=True, aliases=("账户名称", "收款人户名")),
    TabularColumn("number", "账号", required=True, aliases=("银行账号", "收款人账号")),
    TabularColumn("bank_name", "开户行", required=True, aliases=("开户银行", "收款人开户行")),
    TabularColumn("bank_code", "联行号", required=True, aliases=("行号", "开户行行号")),
    TabularColumn("valid_from", "生效日期", required=True, aliases=("启用日期",)),
)


@dataclass
class ImportRow:
    row: int
    owner_name: str = ""
    holder_name: str = ""
    masked: str = ""
    bank_name: str = ""
    valid_from: date | None = None
    errors: list[str] = field(default_factory=list)
    owner: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPreview:
    filename: str
    digest: str
    rows: list[ImportRow]

    @property
    def bad(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.bad


def may_import(actor: Any) -> bool:
    """Finance officers (funds.prepare somewhere): each row is then checked against their scope."""
    from orgs.scope import scoped

    return bool(actor and actor.is_authenticated) and scoped(actor, Perm.FUND_PREPARE, Organisation.objects).exists()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).strip().replace("/", "-").replace(".", "-")
    text = text.replace("年", "-").replace("月", "-").replace("日", "")
    try:
        parsed = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


def _may_enter(actor: Any, owner: dict[str, Any]) -> bool:
    if "organisation" in owner:
        org = owner["organisation"]
        return can_at(actor, Perm.ORG_CHANGE, org) or can_at(actor, Perm.FUND_PREPARE, org)
    file = owner["file"]
    return can_at(actor, Perm.FUND_PREPARE, file.organisation) or can_at(
        actor, Perm.ASSISTANCE_PROCESS, file.organisation
    )


def _owner(cells: dict[str, str]) -> tuple[dict[str, Any], str, str]:
    """(owner kwargs for payee_account_enter, owner name, error)."""
    from assistance.models import HardshipFile
    from members.services import id_index_candidates

    code, id_number, file_no = cells["org_code"], cells["id_number"], cells["file_no"]
    given = [x for x in (code, id_number, file_no) if x]
    if not given:
        return {}, "", "缺少组织编码、身份证号或档案编号"
    if len(given) > 1:
        return {}, "", "组织编码、身份证号、档案编号只能填写一项"
    if code:
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            return {}, "", f"组织编码 {code} 不存在"
        if not org.is_grassroots or org.status != Organisation.Status.ACTIVE:
            return {}, org.name, f"{org.name} 不是在册的基层工会"
        return {"organisation": org}, org.name, ""
    files = HardshipFile.objects.select_related("person", "organisation")
    if file_no:
        file = files.filter(file_no=file_no).first()
        if file is None:
            return {}, "", f"档案编号 {file_no} 不存在"
    else:
        file = (
            files.filter(person__id_number_index__in=id_index_candidates(id_number.upper()))
            .order_by("-applied_on", "-pk")
            .first()
        )
        if file is None:
            return {}, "", "该身份证号没有困难职工档案"
    return {"file": file}, file.person.name, ""


def account_import_preview(*, actor: Any, content: bytes, filename: str) -> ImportPreview:
    """Check every row; write nothing. A file that cannot be read → ``ValidationError``."""
    if not may_import(actor):
        raise PermissionDenied("只有财务人员可以导入收款账户")
    try:
        table = read_tabular(content, filename=filename, columns=ACCOUNT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    pos = {k: i for i, k in enumerate(table.keys) if k}
    if not {"org_code", "id_number", "file_no"} & set(pos):
        raise ValidationError("文件缺少“组织编码”“身份证号”或“档案编号”列")
    rows: list[ImportRow] = []
    for row_no, raw in table.rows:
        cells = {c.key: raw[pos[c.key]] if c.key in pos and pos[c.key] < len(raw) else None for c in ACCOUNT_COLUMNS}
        text = {k: cell_text(v).strip() for k, v in cells.items()}
        item = ImportRow(row=row_no, holder_name=text["holder_name"][:60], bank_name=text["bank_name"][:80])
        owner, item.owner_name, error = _owner(text)
        if error:
            item.errors.append(error)
        elif not _may_enter(actor, owner):
            owner = {}
            item.errors.append(f"{item.owner_name} 不在您的管辖范围内")
        digits = bank.normalize_account_number(text["number"])
        item.masked = PayeeAccount(number=digits).masked_number if digits else ""
        if not bank._DIGITS.match(digits):
            item.errors.append("账号应为 8 至 30 位数字")
        code = bank.normalize_account_number(text["bank_code"])
        if not bank._BANK_CODE.match(code):
            item.errors.append("联行号应为 12 位数字")
        if not item.holder_name:
            item.errors.append("缺少户名")
        if not item.bank_name:
            item.errors.append("缺少开户行")
        item.valid_from = _date(cells["valid_from"])
        if item.valid_from is None:
            item.errors.append("生效日期无效（应为 2000 至 2100 年的日期，如 2026-01-31）")
        item.owner = owner
        item.values = {
            "holder_name": item.holder_name,
            "number": digits,
            "bank_name": item.bank_name,
            "bank_code": code,
            "valid_from": item.valid_from,
        }
        rows.append(item)
    if not rows:
        raise ValidationError("文件中没有数据行")
    # one row per payee: two rows for the same union or person are both refused
    keys = Counter(_key(r.owner) for r in rows if r.owner)
    pending = set(
        PayeeAccount.objects.filter(owner_key__in=[k for k in keys], status=PayeeAccount.Status.PENDING).values_list(
            "owner_key", flat=True
        )
    )
    for r in rows:
        if not r.owner:
            continue
        key = _key(r.owner)
        if keys[key] > 1:
            r.errors.append(f"{r.owner_name} 在文件中出现 {keys[key]} 次（重复行），均未导入")
        elif key in pending:
            r.errors.append(f"{r.owner_name} 已有一个待核验的账户：请先核验或退回它")
    return ImportPreview(filename=filename, digest=hashlib.sha256(content).hexdigest(), rows=rows)


def _key(owner: dict[str, Any]) -> str:
    if "organisation" in owner:
        return bank.owner_key_of(organisation=owner["organisation"])
    return bank.owner_key_of(person=owner["file"].person)


def account_import_apply(*, actor: Any, content: bytes, filename: str, request: Any = None) -> list[PayeeAccount]:
    """Check the file again and enter every account (source 导入), all or none."""
    preview = account_import_preview(actor=actor, content=content, filename=filename)
    if not preview.ok:
        raise ValidationError(f"文件中有 {len(preview.bad)} 行有误，未导入任何账户")
    with transaction.atomic():
        accounts = [
            bank.payee_account_enter(
                actor=actor,
                source=PayeeAccount.Source.IMPORTED,
                note=f"导入自 {filename}"[:200],
                **row.owner,
                **row.values,
            )
            for row in preview.rows
        ]
    audit_log(
        AuditEvent.Kind.IMPORT,
        user=actor,
        request=request,
        summary=f"导入收款账户 {len(accounts)} 个（{filename}，待区总工会核验）",
    )
    return accounts
