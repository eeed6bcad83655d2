"""Cell normalisation and row validation: raw cells to clean values, and the problems of each row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from core.validators import normalize_id_text, validate_phone
from members.importing.columns import COLUMN_BY_KEY, COLUMNS, FALSE_WORDS, TRUE_WORDS, Column
from members.importing.reading import _is_blank


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
