"""Validators for Chinese identifiers: resident ID numbers, unified social credit codes, mobile and
landline (联系电话) numbers.

Every function normalises first (see :func:`normalize_id_text`) so that what people paste from Excel,
WeChat or a scanned form — full-width digits, stray spaces, a lower-case ``x`` — is accepted, and
raises :class:`django.core.exceptions.ValidationError` with a Chinese message naming what is wrong.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone

__all__ = [
    "CREDIT_CODE_CHARSET",
    "ID_CHECK_CHARS",
    "ID_WEIGHTS",
    "PROVINCE_CODES",
    "IdNumberInfo",
    "credit_code_check_char",
    "id_check_char",
    "normalize_credit_code",
    "normalize_id_text",
    "parse_id_number",
    "validate_credit_code",
    "validate_id_number",
    "validate_mobile",
    "validate_phone",
]

# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# First two digits of the GB/T 2260 administrative division code (provinces, 71 Taiwan, 81/82 HK/Macau).
PROVINCE_CODES: frozenset[str] = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^i mod 31.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority. The 2015 text listed 1 机构编制, 5 民政, 9 工商, Y 其他;
# later amendments added 2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室,
# G 公安, J 住房城乡建设, N 农业, Q 侨联. Trade unions' own codes start with 8 (81 = 基层工会), so the
# full list is accepted here: refusing 8 would refuse the very organisations this system serves.
CREDIT_CODE_DEPARTMENTS = frozenset("123456789AGJNQY")

_MIN_BIRTH_DATE = date(1900, 1, 1)
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Separators people type inside phone numbers (after NFKC: ASCII hyphen, dashes, dots, brackets).
_PHONE_SEPARATORS_RE = re.compile(r"[-\u2010-\u2015\u2212.()\[\]]")


def normalize_id_text(value: Any) -> str:
    """Normalise an identifier as typed or pasted.

    NFKC turns full-width digits and letters (``１１０``, ``ｘ``) and the ideographic space into
    ASCII; all whitespace and invisible format characters (zero-width space, BOM) are removed;
    letters are upper-cased (so a lower-case ``x`` check character becomes ``X``).
    ``None`` becomes ``""``; integers are accepted (some spreadsheets store codes as numbers);
    anything else that is not a string is refused.
    """
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError("编码格式无效：应为文本", code="invalid_type")
    text = str(value)
    if text.isascii():  # fast path, same result: NFKC keeps ASCII, and no ASCII character is "Cf"
        return "".join(text.split()).upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """What an 18-digit resident ID number says about its holder."""

    number: str
    birth_date: date
    sex: Literal["M", "F"]
    region_code: str


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("id_check_char() takes the first 17 digits")
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))  # imports check 100k of these
    return ID_CHECK_CHARS[total % 11]


def _show(ch: str) -> str:
    return f"“{ch}”"


def parse_id_number(value: Any, *, today: date | None = None) -> IdNumberInfo:
    """Check an 18-digit resident ID number (GB 11643-1999) and read its birth date, sex and region.

    Raises ``ValidationError`` naming the first thing that is wrong.
    """
    number = normalize_id_text(value)
    if not number:
        raise ValidationError("身份证号码不能为空", code="required")
    if len(number) != 18:
        raise ValidationError(
            "身份证号码长度应为18位，实际为%(length)d位", code="length", params={"length": len(number)}
        )
    well_formed = number.isascii() and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")
    bad = (
        []
        if well_formed
        else [ch for i, ch in enumerate(number) if not (ch.isascii() and ch.isdigit()) and not (i == 17 and ch == "X")]
    )
    if bad:
        raise ValidationError(
            "身份证号码含非法字符%(chars)s：前17位只能是数字，最后一位可以是数字或X",
            code="invalid_chars",
            params={"chars": "、".join(_show(ch) for ch in dict.fromkeys(bad))},
        )
    region = number[:6]
    if region[:2] not in PROVINCE_CODES:
        raise ValidationError(
            "身份证号码的地区码无效：%(region)s 的前两位 %(province)s 不是省级行政区代码",
            code="region",
            params={"region": region, "province": region[:2]},
        )
    raw_birth = number[6:14]
    try:
        birth = date(int(raw_birth[:4]), int(raw_birth[4:6]), int(raw_birth[6:]))
    except ValueError:
        raise ValidationError(
            "身份证号码的出生日期无效：%(raw)s 不是真实的日期", code="birth_date", params={"raw": raw_birth}
        ) from None
    if today is None:
        today = timezone.localdate()
    if birth > today:
        raise ValidationError(
            "身份证号码的出生日期无效：%(birth)s 晚于今天",
            code="birth_date",
            params={"birth": birth.isoformat()},
        )
    if birth < _MIN_BIRTH_DATE:
        raise ValidationError(
            "身份证号码的出生日期无效：%(birth)s 早于1900年",
            code="birth_date",
            params={"birth": birth.isoformat()},
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "身份证号码校验位错误，应为“%(expected)s”（实际为“%(actual)s”），请核对号码是否抄错",
            code="checksum",
            params={"expected": expected, "actual": number[17]},
        )
    sex: Literal["M", "F"] = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberInfo(number=number, birth_date=birth, sex=sex, region_code=region)


def validate_id_number(value: Any) -> None:
    """Model/form validator: raises ``ValidationError`` unless ``value`` is a valid resident ID number."""
    parse_id_number(value)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: Any) -> str:
    """The one normal form of a unified social credit code: half-width, upper case, no spaces.

    What is stored, compared and matched everywhere (forms, services, imports, lookups), so that
    ``９１３５０１００ｍ０００１００ｙ４３`` and ``91350100M000100Y43`` are the same enterprise.
    It does not check the code (see :func:`validate_credit_code`).
    """
    return normalize_id_text(value)


def validate_credit_code(value: Any) -> str:
    """Check an 18-character unified social credit code (GB 32100-2015); return it normalised."""
    code = normalize_credit_code(value)
    if not code:
        raise ValidationError("统一社会信用代码不能为空", code="required")
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码长度应为18位，实际为%(length)d位", code="length", params={"length": len(code)}
        )
    bad = [ch for ch in code if ch not in CREDIT_CODE_CHARSET]
    if bad:
        raise ValidationError(
            "统一社会信用代码含非法字符%(chars)s：只能是数字和除 I、O、Z、S、V 以外的大写字母",
            code="invalid_chars",
            params={"chars": "、".join(_show(ch) for ch in dict.fromkeys(bad))},
        )
    if code[0] not in CREDIT_CODE_DEPARTMENTS:
        raise ValidationError(
            "统一社会信用代码第1位（登记管理部门代码）“%(ch)s”无效", code="department", params={"ch": code[0]}
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字，实际为“%(region)s”",
            code="region",
            params={"region": code[2:8]},
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验位错误，应为“%(expected)s”（实际为“%(actual)s”），请核对代码是否抄错",
            code="checksum",
            params={"expected": expected, "actual": code[17]},
        )
    return code


def validate_mobile(value: Any) -> str:
    """Check a mainland China mobile number; return its 11 digits.

    Accepts spaces, hyphens and full-width digits, and an optional ``+86``/``0086``/``86`` prefix.
    """
    text = normalize_id_text(value)
    digits = _PHONE_SEPARATORS_RE.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        raise ValidationError("手机号码不能为空", code="required")
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError("手机号码只能包含数字，实际为“%(value)s”", code="invalid_chars", params={"value": text})
    if len(digits) != 11:
        raise ValidationError("手机号码应为11位数字，实际为%(length)d位", code="length", params={"length": len(digits)})
    if not _MOBILE_RE.match(digits):
        raise ValidationError("手机号码“%(value)s”无效：应以13至19开头", code="invalid", params={"value": digits})
    return digits


# Area codes (区号): 010 (Beijing) and 020-029 have three digits, every other one four (0335, 0571…),
# so "01069441234" and "057187654321" split one way only. Local numbers have 7 or 8 digits and do
# not start with 0 or 1 (those are area-code and service prefixes).
_LANDLINE_RE = re.compile(r"^(?:\(?(010|02\d|0[3-9]\d{2})\)?-?)?([2-9]\d{6,7})(?:-(\d{1,6}))?$")
# An extension written out: 转123, 分机123, ext.123, #123 (after normalize_id_text: upper case).
_EXTENSION_RE = re.compile(r"^(.+?)-?(?:转|分机|EXT\.?|#)-?(\d{1,6})$")
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212\uff0d~]")
PHONE_FORMAT_HINT = "座机如 010-69441234、69441234、(010)69441234，分机写作 010-69441234-123 或“转123”；手机为11位数字"


def validate_phone(value: Any) -> str:
    """Check a 联系电话 (a landline with an optional extension, or a mobile); return its canonical form.

    Landlines become ``[区号-]号码[-分机]``: ``(010)69441234``, ``010 6944 1234`` and ``010-69441234``
    are all ``"010-69441234"``; ``69441234转123`` is ``"69441234-123"``. A mobile number (with or
    without ``+86``) becomes its 11 digits, as :func:`validate_mobile` returns it.
    """
    text = normalize_id_text(value)
    if not text:
        raise ValidationError("联系电话不能为空", code="required")
    text = _DASHES_RE.sub("-", text)
    main, ext = text, ""
    found = _EXTENSION_RE.match(text)
    if found:
        main, ext = found.group(1), found.group(2)
    digits = _PHONE_SEPARATORS_RE.sub("", main)
    if not ext and (digits.startswith(("+86", "0086")) or (len(digits) == 11 and digits.startswith("1"))):
        try:
            return validate_mobile(main)
        except ValidationError:
            pass
    if main.startswith("+86"):
        main = main[3:].lstrip("-")
    matched = _LANDLINE_RE.match(main.replace(".", "-"))
    if matched is None or (ext and matched.group(3)):
        raise ValidationError(
            "联系电话格式不正确：“%(value)s”。%(hint)s",
            code="invalid",
            params={"value": text, "hint": PHONE_FORMAT_HINT},
        )
    area, local = matched.group(1), matched.group(2)
    ext = ext or matched.group(3) or ""
    if area is None and "(" in main:
        raise ValidationError(
            "联系电话格式不正确：“%(value)s”。%(hint)s",
            code="invalid",
            params={"value": text, "hint": PHONE_FORMAT_HINT},
        )
    return "-".join(part for part in (area, local, ext) if part)
