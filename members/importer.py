"""Excel/CSV import of members: template, reading, row validation, plan, commit, error report.

The import is planned first (``plan_import``): every row is read, normalised and checked, and
classified against the registry as new / updated / unchanged / transfer candidate. The plan
changes nothing: it backs the preview. ``commit_import`` plans again against the current data
and, only if there is no error at all, writes everything in one transaction. Importing the same
file again finds every row unchanged and writes nothing.

Rules (issue 3): required fields, ID check digit and birth date, phone format, the union must
exist, be a grassroots union and lie inside the importer's scope; duplicates inside the file are
errors; an ID that is already an active member of another union is a *transfer candidate*: it is
reported in the preview and the report and skipped, never moved silently (a transfer is done on
the member's page, by someone who may act on both unions).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.tabular import Tabular, TabularColumn, TabularError, header_key, read_tabular
from core.validators import normalize_id_text, validate_phone
from members.bulk import insert_records
from members.models import Membership, Person
from members.services import clean_person_data, member_number_batches
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at

MAX_ROWS = 200_000
TRUNCATION_WARNING_MIN = 2  # this many IDs ending in 000 in one file: warn of Excel truncation
SHEET_NAME = "会员名单"
ERROR_HEADER = "错误说明"
CHUNK = 2000

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, stage: str) -> None:
    return None


# The file as a whole cannot be read (not Excel, wrong headers, no rows…): a Chinese message.
ImportFileError = TabularError


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""
    choices: Any = None  # a TextChoices class: labels (or values) accepted
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, "与身份证一致", aliases=("会员姓名", "职工姓名")),
    Column(
        "id_number",
        "身份证号",
        True,
        "18位，末位可为X；请设为文本格式",
        aliases=("身份证号码", "公民身份号码", "身份证", "证件号码"),
    ),
    Column("org_code", "所属工会编码", True, "见“工会列表”工作表", aliases=("工会编码", "组织编码")),
    Column("joined_on", "入会日期", True, "如 2024-05-01", aliases=("入会时间",)),
    Column("member_no", "会员编号", False, "留空则自动编号", aliases=("会员证号",)),
    Column("mobile", "手机号", False, "11位手机号码", aliases=("手机号码", "手机", "移动电话", "联系方式")),
    Column("phone", "联系电话", False, "座机或其他电话，如 010-69441234", aliases=("固定电话", "座机", "办公电话")),
    Column("ethnicity", "民族", False, "默认汉族"),
    Column("education", "学历", False, choices=Person.Education),
    Column("political_status", "政治面貌", False, choices=Person.Political),
    Column("employer", "工作单位", False),
    Column("post", "岗位", False),
    Column("skill_level", "技能等级", False, choices=Person.SkillLevel),
    Column("hukou_type", "户籍类型", False, choices=Person.Hukou),
    Column("is_migrant_worker", "是否农民工", False, "是/否", aliases=("农民工",)),
    Column("address", "住址", False, aliases=("家庭住址",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
PERSON_KEYS = [c.key for c in COLUMNS if c.key not in ("org_code", "joined_on", "member_no", "phone")]
TABULAR_COLUMNS = tuple(TabularColumn(c.key, c.header, c.required, c.aliases) for c in COLUMNS)
TRUE_WORDS = {"是", "Y", "YES", "TRUE", "1", "√", "农民工"}
FALSE_WORDS = {"否", "N", "NO", "FALSE", "0", "", "×"}


_header_key = header_key


# --- reading ------------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


Table = Tabular  # (sheet, header row, headers, column keys, rows with Excel's numbers, unknown headers)


def read_table(path: str | Path, filename: str = "") -> Tabular:
    """The roster under its header row, from the first visible sheet that has one (the sheet named
    会员名单 first), or from a CSV file (see core.tabular)."""
    return read_tabular(
        Path(path), filename=filename or str(path), columns=TABULAR_COLUMNS, max_rows=MAX_ROWS, prefer_sheet=SHEET_NAME
    )


# --- cell normalisation -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return unicodedata.normalize("NFKC", value).strip() if not value.isascii() else value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


_PARTIAL_DATE = re.compile(r"^\d{4}([./\-年]\d{1,2}月?)?$")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if (isinstance(value, float) and not value.is_integer()) or 1000 <= value <= 9999:
            # 2017.09 or 2017: a year (and month) typed into a cell Excel keeps as a number
            raise ValidationError(f"“{_text(value)}”不是完整日期：请写出年月日，如 2017-09-01")
        if 1 <= value < 80000:  # an Excel serial date in a cell not formatted as a date
            return date(1899, 12, 30) + timedelta(days=int(value))
        text = str(int(value))
    else:
        text = "".join(_text(value).split())
        if _PARTIAL_DATE.match(text):
            raise ValidationError(f"“{text}”不是完整日期：请写出年月日，如 2017-09-01")
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"“{text}”不是有效日期，应写成 2024-05-01 的形式")


_CHOICE_MAPS: dict[str, dict[str, str]] = {}
for _c in COLUMNS:
    if _c.choices is not None:
        mapping: dict[str, str] = {}
        for _val, _lab in _c.choices.choices:
            mapping["".join(str(_lab).split())] = _val
            if _val:
                mapping[_val] = _val
        _CHOICE_MAPS[_c.key] = mapping


def _choice(column: Column, value: Any) -> str:
    text = "".join(_text(value).split())
    if not text:
        return ""
    found = _CHOICE_MAPS[column.key].get(text)
    if found is not None:
        return found
    options = "、".join(label for val, label in column.choices.choices if val)
    raise ValidationError(f"“{text}”不是可选值，可选：{options}")


def _code(value: Any) -> str:
    """Identifier cells: the common clean ASCII case without the per-character Unicode pass."""
    text = _text(value)
    if text.isascii() and text.replace("-", "").isalnum():
        return text.upper()
    return normalize_id_text(text)


def _bool(value: Any) -> bool:
    text = _text(value).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(f"“{_text(value)}”无效，请填“是”或“否”")


# --- planning -----------------------------------------------------------------------------------


@dataclass
class RowPlan:
    index: int  # position in Table.rows
    row_no: int
    person_data: dict[str, Any]
    org: Organisation
    joined_on: date
    member_no: str


@dataclass
class Plan:
    table: Table
    column_keys: list[str | None]
    errors: dict[int, list[str]] = field(default_factory=dict)  # index -> messages
    notices: dict[int, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # about the file as a whole
    new: list[RowPlan] = field(default_factory=list)
    rejoin: list[tuple[RowPlan, Person, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[RowPlan, Person, dict[str, Any], Membership, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.table.rows),
            "new": len(self.new) + len(self.rejoin),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "transfer": len(self.notices),
            "errors": len(self.errors),
        }

    def messages(self, which: str = "errors", limit: int = 500) -> list[list[Any]]:
        source = self.errors if which == "errors" else self.notices
        out: list[list[Any]] = []
        for index in sorted(source):
            row_no = self.table.rows[index][0]
            for msg in source[index]:
                out.append([row_no, msg])
                if len(out) >= limit:
                    return out
        return out


def _label(key: str) -> str:
    return COLUMN_BY_KEY[key].header


def _required_date(raw: Any) -> date:
    if _is_blank(raw):
        raise ValidationError("不能为空")
    return _date(raw)


NUMBER_STORED = "被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE]\+?\d+$")
_FORMULA_TEXT = re.compile(r'^=\s*"?([^"]*)"?$')


def _id_cell(raw: Any) -> str:
    """An ID that went through Excel as a number — a numeric cell, or in a CSV the text Excel
    wrote for it (``1.10105E+17``, ``="110105…"``) — gets one message, not a length error."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 1e15:
        raise ValidationError(NUMBER_STORED)
    if type(raw) is str and raw and not (len(raw) == 18 and raw[:17].isdigit()):  # the common case first
        text = raw.strip()
        if _SCIENTIFIC.match(text) or _FORMULA_TEXT.match(text):
            raise ValidationError(NUMBER_STORED)
    return _code(raw)


NAME_MAX = 30
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134fA-Za-z·]+$")


def _name(raw: Any) -> str:
    """A person's name: Chinese characters, Latin letters and the middle dot (少数民族 and foreign
    names: 阿依古丽·买买提), 2–30 characters. A number is never a name (a formula cell whose cached
    value is 0 would otherwise be stored as the name "0")."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise ValidationError(f"“{_text(raw)}”不是姓名（单元格是数字或公式结果）")
    text = "".join(_text(raw).split())
    if not text:
        raise ValidationError("不能为空")
    if not _NAME.match(text):
        text = text.replace("•", "·").replace("・", "·").replace("．", "·")
    if not _NAME.match(text) or text.startswith("·") or text.endswith("·"):
        raise ValidationError(f"“{text}”不是有效姓名：只能包含汉字、字母和间隔号“·”")
    if not 2 <= len(text) <= NAME_MAX:
        raise ValidationError(f"“{text}”长度应为 2–{NAME_MAX} 个字")
    return text


def _phone(raw: Any) -> str:
    """联系电话: a landline (010-69441234, (010)69441234, 69441234转801) or a mobile number, in the
    canonical form ``core.validators.validate_phone`` gives (the one the member form stores)."""
    text = _text(raw)
    return validate_phone(text) if text.strip() else ""


def _memo(handle: Callable[[Any], Any], limit: int = 5000) -> Callable[[Any], Any]:
    """Columns with few distinct values (choices, yes/no, union codes, dates, ethnicity) repeat the
    same cell text across a file: normalise each distinct text once. Errors are not remembered."""
    seen: dict[Any, Any] = {}

    def handle_memo(raw: Any) -> Any:
        if type(raw) is not str:
            return handle(raw)
        hit = seen.get(raw, seen)
        if hit is not seen:
            return hit
        value = handle(raw)
        if len(seen) < limit:
            seen[raw] = value
        return value

    return handle_memo


def _handler(key: str) -> Callable[[Any], Any]:
    column = COLUMN_BY_KEY[key]
    if key == "joined_on":
        return _memo(_required_date)
    if key == "id_number":
        return _id_cell
    if key == "name":
        return _name
    if key == "phone":
        return _phone
    if column.choices is not None:
        return _memo(lambda raw: _choice(column, raw))
    if key == "is_migrant_worker":
        return _memo(_bool)
    if key == "org_code":
        return _memo(_code)
    if key in ("mobile", "member_no"):
        return _code
    if key == "ethnicity":
        return _memo(_text)
    return _text


def _row_parser(keys: list[str | None]) -> Callable[[list[Any]], tuple[dict[str, Any], list[str]]]:
    """A parser for this file's column layout: raw cells → normalised values and problems (each
    naming its column). The per-column handlers are chosen once per file, not once per cell."""
    plan = [(pos, key, COLUMN_BY_KEY[key].header, _handler(key)) for pos, key in enumerate(keys) if key is not None]

    def parse(cells: list[Any]) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        problems: list[str] = []
        n = len(cells)
        for pos, key, header, handle in plan:
            try:
                values[key] = handle(cells[pos] if pos < n else None)
            except ValidationError as exc:
                problems.append(f"【{header}】{'；'.join(exc.messages)}")
        if not values.get("org_code", "x"):
            problems.append("【所属工会编码】不能为空")
        return values, problems

    return parse


def _field_problems(exc: ValidationError) -> list[str]:
    out = []
    for key, errors in exc.error_dict.items():
        label = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else key
        out.append(f"【{label}】{'；'.join(m for e in errors for m in e.messages)}")
    return out


def plan_import(table: Table, *, actor: Any, progress: Progress = _no_progress) -> Plan:
    keys = table.keys
    plan = Plan(table=table, column_keys=keys)
    if not table.rows:
        raise ImportFileError(f"{table.where}中没有数据行：第{table.header_row}行表头下面至少要有一行会员信息")
    if table.sheet and table.sheet != SHEET_NAME:
        plan.warnings.append(f"读取的是工作表“{table.sheet}”（表头在第{table.header_row}行）")
    elif table.header_row != 1:
        plan.warnings.append(f"表头在第{table.header_row}行，其上方的标题行未导入")
    unknown = [h for h in table.unknown_headers if _header_key(h) != ERROR_HEADER]
    if unknown:
        plan.warnings.append(
            f"以下列未能识别，未导入：{'、'.join(f'“{h}”' for h in unknown)}。"
            "如其中有需要导入的信息，请把表头改为模板中的名称（见填写说明）"
        )
    today = timezone.localdate()
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_ids: dict[str, int] = {}
    seen_nos: dict[str, int] = {}
    total = len(table.rows)
    parse_row = _row_parser(keys)
    for index, (row_no, cells) in enumerate(table.rows):
        if index % 5000 == 0:
            progress(0.6 * index / total, f"校验第 {index + 1}/{total} 行")
        values, problems = parse_row(cells)
        person_data = {k: values[k] for k in PERSON_KEYS if k in values}
        try:
            clean = clean_person_data(person_data, today=today)
        except ValidationError as exc:
            problems.extend(_field_problems(exc))
            clean = {}
        if "phone" in values and clean:
            clean["phone"] = values["phone"]
        joined = values.get("joined_on")
        if joined is not None:
            if joined > today:
                problems.append(f"【入会日期】{joined:%Y-%m-%d} 晚于今天")
            elif "birth_date" in clean and joined < clean["birth_date"]:
                problems.append(f"【入会日期】{joined:%Y-%m-%d} 早于出生日期 {clean['birth_date']:%Y-%m-%d}")
        if len(values.get("member_no", "")) > 32:
            problems.append("【会员编号】不能超过32个字符")
        index_value = clean.get("id_number_index")
        if index_value:
            if index_value in seen_ids:
                problems.append(f"【身份证号】与第{seen_ids[index_value]}行重复")
            else:
                seen_ids[index_value] = row_no
        member_no = values.get("member_no", "")
        if member_no:
            if member_no in seen_nos:
                problems.append(f"【会员编号】“{member_no}”与第{seen_nos[member_no]}行重复")
            else:
                seen_nos[member_no] = row_no
        if problems:
            plan.errors[index] = problems
            continue
        values["clean"] = clean
        parsed.append((index, values))

    zeros = [table.rows[index][0] for index, values in parsed if values["clean"].get("id_number", "").endswith("000")]
    if len(zeros) >= TRUNCATION_WARNING_MIN:
        shown = "、".join(str(n) for n in zeros[:10]) + ("等" if len(zeros) > 10 else "")
        plan.warnings.append(
            f"有 {len(zeros)} 个身份证号以 000 结尾（第 {shown} 行）：校验位虽然通过，但这常是 Excel 把号码存成数字后"
            "丢失了末三位。请核对原始号码，确认无误后再导入"
        )
    progress(0.65, "核对所属工会")
    codes = {v["org_code"] for _, v in parsed}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    usable: dict[str, str | None] = {}
    for code in codes:
        org = orgs.get(code)
        if org is None or (actor is not None and not can_at(actor, Perm.MEMBER_IMPORT, org)):
            usable[code] = f"【所属工会编码】“{code}”不存在或不在您的管理范围内"
        elif not org.is_grassroots:
            usable[code] = f"【所属工会编码】“{code}”（{org.name}）不是基层工会，会员只能加入基层工会"
        elif not org.is_active:
            usable[code] = f"【所属工会编码】“{code}”（{org.name}）已撤销"
        else:
            usable[code] = None

    progress(0.7, "与会员库比对")
    indexes = [v["clean"]["id_number_index"] for _, v in parsed]
    people: dict[str, Person] = {}
    active: dict[int, Membership] = {}
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start : start + CHUNK]
        for p in Person.objects.filter(id_number_index__in=chunk):
            people[p.id_number_index] = p
    person_ids = [p.pk for p in people.values()]
    for start in range(0, len(person_ids), CHUNK):
        for m in Membership.objects.filter(
            person_id__in=person_ids[start : start + CHUNK], status=Membership.Status.ACTIVE
        ).select_related("organisation"):
            active[m.person_id] = m
    given_nos = [v["member_no"] for _, v in parsed if v.get("member_no")]
    taken_nos: dict[str, int] = {}
    for start in range(0, len(given_nos), CHUNK):
        taken_nos.update(
            Membership.objects.filter(member_no__in=given_nos[start : start + CHUNK]).values_list(
                "member_no", "person_id"
            )
        )

    progress(0.8, "生成导入计划")
    for index, values in parsed:
        row_no = table.rows[index][0]
        clean = values["clean"]
        problem = usable[values["org_code"]]
        if problem:
            plan.errors[index] = [problem]
            continue
        org = orgs[values["org_code"]]
        person = people.get(clean["id_number_index"])
        member_no = values.get("member_no", "")
        if member_no and member_no in taken_nos and (person is None or taken_nos[member_no] != person.pk):
            plan.errors[index] = [f"【会员编号】“{member_no}”已被其他会员使用"]
            continue
        row = RowPlan(index, row_no, clean, org, values["joined_on"], member_no)
        if person is None:
            plan.new.append(row)
            continue
        current = active.get(person.pk)
        if current is not None and current.organisation_id != org.pk:
            where = (
                current.organisation.name
                if actor is None or can_at(actor, Perm.MEMBER_VIEW, current.organisation)
                else "其他工会"
            )
            plan.notices[index] = [
                f"【身份证号】此人已是“{where}”的在册会员：属转会情形，本次未导入；如确需转会，请在会员详情页办理转会"
            ]
            continue
        person_changes = {
            k: v for k, v in clean.items() if k not in ("id_number", "id_number_index") and getattr(person, k) != v
        }
        if current is None:
            plan.rejoin.append((row, person, person_changes))
            continue
        membership_changes: dict[str, Any] = {}
        if current.joined_on != row.joined_on:
            membership_changes["joined_on"] = row.joined_on
        if member_no and current.member_no != member_no:
            membership_changes["member_no"] = member_no
        if person_changes or membership_changes:
            plan.updates.append((row, person, person_changes, current, membership_changes))
        else:
            plan.unchanged += 1
    progress(0.85, "校验完成")
    return plan


# --- writing ------------------------------------------------------------------------------------


class ImportRefused(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__(f"{plan.error_count} 行有错误，未导入任何数据")
        self.plan = plan


def _assign_numbers(rows: list[RowPlan], reserved: set[str]) -> None:
    """Member numbers for rows that have none, avoiding numbers given elsewhere in the file."""
    by_org: dict[int, list[RowPlan]] = {}
    orgs: dict[int, Organisation] = {}
    for row in rows:
        if not row.member_no:
            by_org.setdefault(row.org.pk, []).append(row)
            orgs[row.org.pk] = row.org
    extra = {pk: sum(1 for n in reserved if n.startswith(f"{orgs[pk].code}-")) for pk in by_org}
    numbers = member_number_batches({orgs[pk]: len(group) + extra[pk] for pk, group in by_org.items()})
    for pk, group in by_org.items():
        free = [n for n in numbers[pk] if n not in reserved]
        for row, number in zip(group, free, strict=False):
            row.member_no = number


@contextlib.contextmanager
def _big_sqlite_cache(mebibytes: int = 256):
    """SQLite's page cache is 2 MB by default: inserting 100,000 random blind-index keys into the
    unique index then rereads pages from disk all the time. Enlarge it for this connection while
    the import runs (PostgreSQL sizes its buffers itself)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{mebibytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def commit_import(table: Table, *, actor: Any, progress: Progress = _no_progress) -> Plan:
    """Plan against the current registry and write it all in one transaction; refuse on any error."""
    with _big_sqlite_cache(), transaction.atomic():
        plan = plan_import(table, actor=actor, progress=progress)
        if plan.errors:
            raise ImportRefused(plan)
        user = actor if getattr(actor, "is_authenticated", False) else None
        reason = "Excel 导入"
        now = timezone.now()
        progress(0.87, "写入新会员")
        reserved = {r.member_no for r in plan.new if r.member_no} | {
            r.member_no for r, _, _ in plan.rejoin if r.member_no
        }
        _assign_numbers([*plan.new, *(r for r, _, _ in plan.rejoin)], reserved)

        uid = user.pk if user is not None else None
        new_ids = insert_records(
            Person,
            [{**row.person_data, "organisation_id": row.org.pk} for row in plan.new],
            history_user_id=uid,
            history_reason=reason,
        )

        progress(0.93, "更新已有会员")
        changed_people: list[Person] = []
        person_fields: set[str] = set()
        for row, person, changes in plan.rejoin:
            for k, v in changes.items():
                setattr(person, k, v)
            person.organisation = row.org
            person_fields |= set(changes) | {"organisation"}
            changed_people.append(person)
        for _, person, changes, _, _ in plan.updates:
            if changes:
                for k, v in changes.items():
                    setattr(person, k, v)
                person_fields |= set(changes)
                changed_people.append(person)
        if changed_people:
            for person in changed_people:
                person.updated_at = now
            Person.objects.bulk_update(changed_people, sorted(person_fields | {"updated_at"}), batch_size=CHUNK)
            Person.history.bulk_history_create(
                changed_people,
                batch_size=CHUNK,
                update=True,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
        changed_memberships: list[Membership] = []
        membership_fields: set[str] = set()
        for _, _, _, membership, changes in plan.updates:
            if changes:
                for k, v in changes.items():
                    setattr(membership, k, v)
                membership_fields |= set(changes)
                changed_memberships.append(membership)
        if changed_memberships:
            Membership.objects.bulk_update(changed_memberships, sorted(membership_fields), batch_size=CHUNK)
            Membership.history.bulk_history_create(
                changed_memberships,
                batch_size=CHUNK,
                update=True,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )

        progress(0.96, "写入会籍")
        records = [
            {"person_id": pid, "organisation_id": row.org.pk, "member_no": row.member_no, "joined_on": row.joined_on}
            for row, pid in [*zip(plan.new, new_ids, strict=True), *((r, p.pk) for r, p, _ in plan.rejoin)]
        ]
        insert_records(Membership, records, history_user_id=uid, history_reason=reason)
    progress(1.0, "导入完成")
    return plan


# --- template and error report ------------------------------------------------------------------


def write_template(path: str | Path, *, unions: Sequence[Organisation]) -> None:
    """The import template: 会员名单 (headers, text formats, drop-downs), 填写说明, 工会列表, 选项."""
    wb = xlsxwriter.Workbook(str(path))
    try:
        head_req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"})
        head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        text = wb.add_format({"num_format": "@"})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        bold = wb.add_format({"bold": True})

        ws = wb.add_worksheet(SHEET_NAME)
        opts = wb.add_worksheet("选项")
        union_ws = wb.add_worksheet("工会列表")
        guide = wb.add_worksheet("填写说明")

        # option lists for drop-downs live on a sheet (inline lists are limited to 255 characters)
        option_cols: dict[str, str] = {}
        col = 0
        for c in COLUMNS:
            if c.choices is None and c.key != "is_migrant_worker":
                continue
            labels = ["是", "否"] if c.key == "is_migrant_worker" else [label for _, label in c.choices.choices]
            opts.write_string(0, col, c.header, head)
            for r, label in enumerate(labels, start=1):
                opts.write_string(r, col, label)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            option_cols[c.key] = f"=选项!${letter}$2:${letter}${len(labels) + 1}"
            col += 1
        opts.hide()

        union_ws.write_row(0, 0, ["所属工会编码", "工会名称", "类型"], head)
        for r, org in enumerate(unions, start=1):
            union_ws.write_string(r, 0, org.code)
            union_ws.write_string(r, 1, org.name)
            union_ws.write_string(r, 2, org.get_kind_display())
        union_ws.set_column(0, 0, 16)
        union_ws.set_column(1, 1, 40)
        union_ws.set_column(2, 2, 16)

        last = 20000
        for pos, c in enumerate(COLUMNS):
            ws.write_string(0, pos, c.header + ("*" if c.required else ""), head_req if c.required else head)
            if c.hint:
                ws.write_comment(0, pos, c.hint)
            width = {"id_number": 22, "address": 30, "employer": 26, "org_code": 16}.get(c.key, 12)
            fmt = text if c.key in ("id_number", "mobile", "phone", "member_no", "org_code") else None
            if c.key == "joined_on":
                fmt = date_fmt
            ws.set_column(pos, pos, width, fmt)
            if c.key in option_cols:
                ws.data_validation(1, pos, last, pos, {"validate": "list", "source": option_cols[c.key]})
            if c.key == "org_code" and unions:
                ws.data_validation(
                    1, pos, last, pos, {"validate": "list", "source": f"=工会列表!$A$2:$A${len(unions) + 1}"}
                )
            if c.key == "joined_on":
                ws.data_validation(
                    1,
                    pos,
                    last,
                    pos,
                    {
                        "validate": "date",
                        "criteria": "between",
                        "minimum": date(1950, 1, 1),
                        "maximum": date(2099, 12, 31),
                        "error_message": "请填写日期，如 2024-05-01",
                    },
                )
        ws.freeze_panes(1, 0)

        guide.set_column(0, 0, 100)
        lines = [
            ("会员信息导入说明", bold),
            ("1. 在“会员名单”工作表中每行填写一名会员；第1行是表头，请勿修改、删除或调换表头。", None),
            ("2. 带 * 的列必须填写：姓名、身份证号、所属工会编码、入会日期。其他列可以留空。", None),
            (
                "3. 身份证号：18位，系统自动校验校验位和出生日期，并据此得出性别和出生日期；末位 x 会自动转为大写 X，全角数字和多余空格会自动去除。",
                None,
            ),
            ("   请保持该列为“文本”格式，否则 Excel 会把号码变成科学计数法并丢失末几位。", None),
            ("4. 所属工会编码：见“工会列表”工作表，只能填写您有权管理的基层工会。", None),
            ("5. 入会日期：写成 2024-05-01、2024/5/1 或 2024年5月1日 均可，不能晚于今天，也不能早于出生日期。", None),
            ("6. 会员编号：留空则按“工会编码-序号”自动编号；已登记的会员再次导入时保留原编号。", None),
            ("7. 手机号：11位手机号码，可带空格、短横线或 +86。", None),
            ("8. 学历、政治面貌、技能等级、户籍类型、是否农民工：请从下拉列表中选择。", None),
            ("9. 导入前会先预览：新增、更新、无变化和有错误的行数。只要有一行错误，整个文件都不会导入；", None),
            ("   可下载“错误报告”（原表加一列错误说明），改正后直接上传该报告即可。", None),
            (
                "10. 身份证号已是其他工会在册会员的，属于转会情形：导入时会列出但不会转移，请在会员详情页办理转会。",
                None,
            ),
            ("11. 同一文件重复导入不会产生重复记录：信息未变的会员显示为“无变化”。", None),
            ("", None),
            ("示例（请勿填入本表，填在“会员名单”中）：", bold),
            (
                "张伟 | 110113199001011238 | SY-101-001 | 2024-05-01 | （留空） | 138 1234 5678 | 汉族 | 高中/中专/技校 | 群众 | 北京顺鑫物流有限公司 | 司机 | 无 | 农村 | 是",
                None,
            ),
        ]
        for r, (line, fmt) in enumerate(lines):
            if fmt is not None:
                guide.write_string(r, 0, line, fmt)
            else:
                guide.write_string(r, 0, line, wrap)
        ws.activate()
    finally:
        wb.close()


def write_error_report(path: str | Path, plan: Plan) -> None:
    """The uploaded rows as they were, plus an error column; rows with problems highlighted."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        ws = wb.add_worksheet(SHEET_NAME)
        head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        err_head = wb.add_format({"bold": True, "bg_color": "#FFC7CE", "border": 1, "font_color": "#9C0006"})
        err = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "text_wrap": True})
        note = wb.add_format({"font_color": "#7F6000", "bg_color": "#FFEB9C", "text_wrap": True})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        headers = [h for h in plan.table.headers if _header_key(h) != ERROR_HEADER]
        keep = [i for i, h in enumerate(plan.table.headers) if _header_key(h) != ERROR_HEADER]
        width = len(headers)
        # Rows keep the numbers they had in the uploaded sheet (blank rows and a title row above
        # the header stay where they were), so "第 N 行" in a message is row N of the report too.
        top = plan.table.header_row - 1
        if plan.warnings and top > 0:  # constant_memory: rows are written in order
            ws.write_string(0, 0, "【文件提示】" + "；".join(plan.warnings), note)
        for c, h in enumerate(headers):
            ws.write_string(top, c, _text(h), head)
            ws.set_column(c, c, 20 if c < 4 else 14)
        ws.write_string(top, width, ERROR_HEADER, err_head)
        ws.set_column(width, width, 60)
        ws.freeze_panes(top + 1, 0)
        if plan.warnings and top == 0:
            ws.write_string(0, width + 1, "【文件提示】" + "；".join(plan.warnings), note)
        for index, (row_no, cells) in enumerate(plan.table.rows):
            r = row_no - 1
            for c, pos in enumerate(keep):
                value = cells[pos] if pos < len(cells) else None
                if _is_blank(value):
                    continue
                if isinstance(value, datetime | date):
                    d = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                    ws.write_datetime(r, c, d, date_fmt)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
            if index in plan.errors:
                ws.write_string(r, width, f"第{row_no}行：" + "；".join(plan.errors[index]), err)
            elif index in plan.notices:
                ws.write_string(r, width, f"【提示】第{row_no}行：" + "；".join(plan.notices[index]), note)
    finally:
        wb.close()
