"""The import plan: every row classified as new / updated / unchanged / transfer candidate / error; changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.crypto import old_key_settings
from members.importing.columns import (
    CHUNK,
    ERROR_HEADER,
    PERSON_KEYS,
    SHEET_NAME,
    TRUNCATION_WARNING_MIN,
    ImportFileError,
    Progress,
    _header_key,
    _no_progress,
)
from members.importing.reading import Table
from members.importing.validating import _field_problems, _row_parser
from members.models import Membership, Person
from members.services import clean_person_data, id_index_candidates
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


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
    # During a data-key rotation a person not yet rewritten carries the retiring key's index value:
    # look it up too, and file the person under the current key's value.
    current_of: dict[str, str] = {}
    if old_key_settings():
        for _, v in parsed:
            current, *older = id_index_candidates(v["clean"]["id_number"])
            current_of.update(dict.fromkeys(older, current))
        indexes += list(current_of)
    people: dict[str, Person] = {}
    active: dict[int, Membership] = {}
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start : start + CHUNK]
        for p in Person.objects.filter(id_number_index__in=chunk):
            people[current_of.get(p.id_number_index, p.id_number_index)] = p
    person_ids = [p.pk for p in people.values()]
    for start in range(0, len(person_ids), CHUNK):
        for m in (
            Membership.objects.active_on()
            .filter(person_id__in=person_ids[start : start + CHUNK])
            .select_related("organisation")
        ):
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
