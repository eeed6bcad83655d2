"""Resident ID numbers (GB 11643-1999), credit codes (GB 32100-2015), mobile numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import (
    ID_CHECK_CHARS,
    credit_code_check_char,
    id_check_char,
    normalize_id_text,
    parse_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

TODAY = date(2026, 11, 25)


def error_text(exc_info: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc_info.value.messages)


# --- resident ID numbers ----------------------------------------------------------------------
#
# Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; check = "10X98765432"[sum % 11].
#
# 11010519491231002X (the GB 11643 textbook example: Beijing Chaoyang, born 1949-12-31, female):
#   1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5 + 0*8 + 0*4 + 2*2
#   = 7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167
#   167 = 15*11 + 2 → index 2 → "X".  17th digit 2 is even → female.
#
# 110113199001011232 (Shunyi 110113, born 1990-01-01, sequence 123 → 17th digit 3 odd → male):
#   7 + 9 + 0 + 5 + 8 + 12 + 2 + 9 + 9*6=54 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5 + 1*8 + 2*4 + 3*2
#   = 7+9+0+5+8+12+2+9+54+0+0+9+0+5+8+8+6 = 142; 142 = 12*11 + 10 → index 10 → "2".
#
# 110113198507150024 (Shunyi, born 1985-07-15, sequence 002 → 17th digit 2 even → female):
#   digits 1 1 0 1 1 3 1 9 8 5 0 7 1 5 0 0 2
#   1*7=7 1*9=9 0*10=0 1*5=5 1*8=8 3*4=12 1*2=2 9*1=9 8*6=48 5*3=15 0*7=0 7*9=63 1*10=10 5*5=25
#   0*8=0 0*4=0 2*2=4 → 217; 217 = 19*11 + 8 → index 8 → "4".
#
# 110113200002294516 (Shunyi, born 2000-02-29 — a real leap day, sequence 451 → male):
#   digits 1 1 0 1 1 3 2 0 0 0 0 2 2 9 4 5 1
#   7 + 9 + 0 + 5 + 8 + 12 + 2*2=4 + 0*1 + 0*6 + 0*3 + 0*7 + 2*9=18 + 2*10=20 + 9*5=45 + 4*8=32
#   + 5*4=20 + 1*2=2 = 182; 182 = 16*11 + 6 → index 6 of "10X98765432" → "6".

VALID_IDS = [
    ("11010519491231002X", date(1949, 12, 31), "F", "110105"),
    ("110113199001011232", date(1990, 1, 1), "M", "110113"),
    ("110113198507150024", date(1985, 7, 15), "F", "110113"),
    ("110113200002294516", date(2000, 2, 29), "M", "110113"),
]


@pytest.mark.parametrize(("number", "birth", "sex", "region"), VALID_IDS)
def test_valid_id_numbers(number: str, birth: date, sex: str, region: str) -> None:
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.region_code == region


def test_hand_computed_check_characters_agree_with_the_code() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("11011319900101123") == "2"
    assert id_check_char("11011319850715002") == "4"
    assert id_check_char("11011320000229451") == "6"
    assert ID_CHECK_CHARS[2] == "X"
    assert ID_CHECK_CHARS[6] == "6"


def test_textbook_number_with_wrong_check_digit() -> None:
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number("110105194912310029", today=TODAY)
    assert exc_info.value.code == "checksum"
    assert "校验位错误，应为“X”" in error_text(exc_info)


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        " 1101 0519 4912 3100 2X ",  # spaces as people group digits
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "110105\u300019491231002X",  # ideographic space
        "\ufeff11010519491231002X\u200b",  # BOM and zero-width space from a pasted cell
        "110105194912310\t02x\n",
    ],
)
def test_id_number_is_normalised(typed: str) -> None:
    assert parse_id_number(typed, today=TODAY).number == "11010519491231002X"
    assert normalize_id_text(typed) == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("", "required", "不能为空"),
        ("11010519491231002", "length", "长度应为18位，实际为17位"),
        ("11010519491231002X1", "length", "长度应为18位，实际为19位"),
        ("110105194912310X2X", "invalid_chars", "含非法字符“X”"),
        ("11010519491231O02X", "invalid_chars", "含非法字符“O”"),
        ("110105-9491231002X", "invalid_chars", "含非法字符“-”"),
        # region: 99 and 00 are no province codes
        ("990105194912310020", "region", "地区码无效"),
        ("000000194912310020", "region", "地区码无效"),
        # 30 February does not exist
        ("110113199002301234", "birth_date", "出生日期无效：19900230"),
        ("110113199013011234", "birth_date", "出生日期无效"),
        # born after "today" (2026-11-25) / before 1900
        ("110113202612011234", "birth_date", "晚于今天"),
        ("110113189912311234", "birth_date", "早于1900年"),
    ],
)
def test_invalid_id_numbers(value: str, code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number(value, today=TODAY)
    assert exc_info.value.code == code
    assert fragment in error_text(exc_info)


def test_future_birth_date_uses_the_real_today_by_default() -> None:
    tomorrow = date.today() + timedelta(days=2)
    first17 = f"110113{tomorrow:%Y%m%d}123"
    with pytest.raises(ValidationError, match="晚于今天"):
        validate_id_number(first17 + id_check_char(first17))


def test_validate_id_number_accepts_valid_and_refuses_invalid() -> None:
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError):
        validate_id_number("110105194912310029")
    with pytest.raises(ValidationError):
        validate_id_number(None)
    with pytest.raises(ValidationError):
        validate_id_number(1.10105194912310e17)


REGIONS = ["110113", "110105", "310115", "440305", "650102", "820000"]


@st.composite
def valid_ids(draw: st.DrawFn) -> tuple[str, date, str]:
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    sex = "M" if sequence % 2 else "F"
    return first17 + id_check_char(first17), birth, sex


@given(valid_ids())
def test_generated_numbers_round_trip(generated: tuple[str, date, str]) -> None:
    number, birth, sex = generated
    info = parse_id_number(number, today=TODAY)
    assert (info.number, info.birth_date, info.sex, info.region_code) == (number, birth, sex, number[:6])
    assert parse_id_number(number.lower(), today=TODAY) == info


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_changing_any_single_character_makes_it_invalid(
    generated: tuple[str, date, str], position: int, shift: int
) -> None:
    number = generated[0]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(number[position])
    new = alphabet[(old + shift) % len(alphabet)]
    if new == number[position]:  # shift == len(alphabet) for the digits
        new = alphabet[(old + 1) % len(alphabet)]
    changed = number[:position] + new + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(changed, today=TODAY)


# --- unified social credit codes --------------------------------------------------------------
#
# Charset "0123456789ABCDEFGHJKLMNPQRTUWXY" (A=10 … H=17, J=18, K=19, L=20, M=21, N=22, P=23,
# Q=24, R=25, T=26, U=27, W=28, X=29, Y=30); weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28;
# check value = 31 - (sum % 31), 31 → 0.
#
# 91350100M000100Y43 (the example printed with GB 32100-2015 explanations):
#   values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4
#   9*1=9 1*3=3 3*9=27 5*27=135 0 1*26=26 0 0 21*20=420 0 0 0 1*8=8 0 0 30*30=900 4*28=112
#   sum 1640; 1640 = 52*31 + 28; 31 - 28 = 3 → "3". Valid.
#
# 91440300708461136T (Shenzhen 440300, organisation code 70846113-6):
#   values 9 1 4 4 0 3 0 0 7 0 8 4 6 1 1 3 6
#   9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 140 + 0 + 200 + 52 + 48 + 24 + 10 + 90 + 168 = 966
#   966 = 31*31 + 5; 31 - 5 = 26 → "T". Valid.
#
# 91110000802100433B (Beijing 110000, organisation code 80210043-3):
#   values 9 1 1 1 0 0 0 0 8 0 2 1 0 0 4 3 3
#   9 + 3 + 9 + 27 + 0 + 0 + 0 + 0 + 160 + 0 + 50 + 13 + 0 + 0 + 40 + 90 + 84 = 485
#   485 = 15*31 + 20; 31 - 20 = 11 → "B". Valid.
#
# 91110000100006301X (offered in the brief as valid): values 9 1 1 1 0 0 0 0 1 0 0 0 0 6 3 0 1
#   9 + 3 + 9 + 27 + 20 + 6*24=144 + 3*10=30 + 1*28=28 = 270; 270 = 8*31 + 22; 31 - 22 = 9 → "9",
#   so ...301X is INVALID (the check character should be 9).
#
# 81110113MA0000000J — a trade-union code (dept 8 工会, category 1 基层工会, Shunyi 110113),
# constructed for this test: values 8 1 1 1 0 1 1 3 M=21 A=10 0 0 0 0 0 0 0
#   8 + 3 + 9 + 27 + 0 + 26 + 16 + 51 + 420 + 290 = 850; 850 = 27*31 + 13; 31 - 13 = 18 → "J".

VALID_CODES = ["91350100M000100Y43", "91440300708461136T", "91110000802100433B", "81110113MA0000000J"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes(code: str) -> None:
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


def test_credit_code_is_normalised() -> None:
    assert validate_credit_code(" 9135 0100 m000 100y43 ") == "91350100M000100Y43"
    assert validate_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("91110000100006301X", "checksum", "校验位错误，应为“9”"),
        ("91350100M000100Y42", "checksum", "校验位错误，应为“3”"),
        ("91350100M000100I43", "invalid_chars", "含非法字符“I”"),
        ("91350100MO00100Y43", "invalid_chars", "含非法字符“O”"),
        ("91350100M000100Y4", "length", "长度应为18位，实际为17位"),
        ("91350100M000100Y433", "length", "长度应为18位，实际为19位"),
        ("", "required", "不能为空"),
        # registration department "0" does not exist (check char recomputed: only dept is wrong)
        ("01350100M000100Y4" + credit_code_check_char("01350100M000100Y4"), "department", "登记管理部门"),
        # region part must be digits
        ("9135A100M000100Y4" + credit_code_check_char("9135A100M000100Y4"), "region", "行政区划码"),
    ],
)
def test_invalid_credit_codes(value: str, code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_credit_code(value)
    assert exc_info.value.code == code
    assert fragment in error_text(exc_info)


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(
    st.sampled_from("123456789AGJNQY"),
    st.sampled_from(CREDIT_CHARS),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CHARS, min_size=9, max_size=9),
    st.integers(min_value=0, max_value=17),
    st.integers(min_value=1, max_value=30),
)
def test_credit_code_round_trip_and_single_change(
    dept: str, category: str, region: str, body: str, position: int, shift: int
) -> None:
    first17 = dept + category + region + body
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code.lower()) == code
    changed_char = CREDIT_CHARS[(CREDIT_CHARS.index(code[position]) + shift) % 31]
    changed = code[:position] + changed_char + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


# --- mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
        "１３８１２３４５６７８",
        "\u3000138\u30001234\u30005678",
    ],
)
def test_valid_mobile(typed: str) -> None:
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "不能为空"),
        ("1381234567", "应为11位数字，实际为10位"),
        ("138123456789", "应为11位数字，实际为12位"),
        ("12812345678", "应以13至19开头"),
        ("23812345678", "应以13至19开头"),
        ("010-12345678", "应以13至19开头"),
        ("138l2345678", "只能包含数字"),
    ],
)
def test_invalid_mobile(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_mobile(value)
    assert fragment in error_text(exc_info)


# --- 联系电话 (landline or mobile) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("010-69441234", "010-69441234"),
        ("69441234", "69441234"),
        ("(010)69441234", "010-69441234"),
        ("（010）69441234", "010-69441234"),
        ("010 6944 1234", "010-69441234"),
        ("01069441234", "010-69441234"),
        ("０１０－６９４４１２３４", "010-69441234"),
        ("010-69441234转123", "010-69441234-123"),
        ("010-69441234 转 123", "010-69441234-123"),
        ("010-69441234-123", "010-69441234-123"),
        ("69441234-8", "69441234-8"),
        ("69441234分机801", "69441234-801"),
        ("0755-88886666 ext.801", "0755-88886666-801"),
        ("0571-8765432", "0571-8765432"),
        ("05718765432", "0571-8765432"),
        ("022-2345678", "022-2345678"),
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
    ],
)
def test_valid_phone_is_normalised(typed: str, canonical: str) -> None:
    assert validate_phone(typed) == canonical
    assert validate_phone(canonical) == canonical  # the canonical form is a fixed point


@pytest.mark.parametrize(
    "value",
    [
        "12ab",
        "010-6944",  # local number too short
        "010-694412345",  # too long
        "010-09441234",  # a local number never starts with 0
        "12812345678",  # not a mobile and not a landline
        "010-69441234-1234567",  # extension too long
        "010-69441234-12转3",
        "(69441234",
        "电话69441234",
    ],
)
def test_invalid_phone_is_refused_in_chinese(value: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_phone(value)
    assert "联系电话格式不正确" in error_text(exc_info) and "010-69441234" in error_text(exc_info)


def test_empty_phone_is_refused() -> None:
    with pytest.raises(ValidationError, match="不能为空"):
        validate_phone("  ")


_AREA = st.sampled_from(["010", "021", "029", "0571", "0755", "0335"])
_LOCAL = st.builds(
    lambda first, rest: first + rest, st.sampled_from("23456789"), st.text("0123456789", min_size=6, max_size=7)
)
_EXT = st.text("0123456789", min_size=1, max_size=6)


@given(area=_AREA, local=_LOCAL, ext=st.none() | _EXT, style=st.integers(0, 3))
def test_any_spelling_of_a_landline_gives_one_canonical_form(area, local, ext, style) -> None:
    written = [f"{area}-{local}", f"({area}){local}", f"{area} {local[:4]} {local[4:]}", f"{area}{local}"][style]
    if ext:
        written += f"转{ext}" if style % 2 else f"-{ext}"
    expected = f"{area}-{local}" + (f"-{ext}" if ext else "")
    assert validate_phone(written) == expected


@given(st.text(max_size=20))
def test_phone_validation_never_crashes_and_its_output_is_stable(text: str) -> None:
    try:
        out = validate_phone(text)
    except ValidationError:
        return
    assert validate_phone(out) == out
