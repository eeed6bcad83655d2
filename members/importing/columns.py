"""The roster's columns, limits and the file-level error of the member import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.tabular import TabularColumn, TabularError, header_key
from members.models import Person

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
