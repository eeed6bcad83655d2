"""One reader for every tabular import (member rosters, the tax bureau's dues file, …).

``read_tabular`` opens an xlsx / xlsm / xls / ods workbook (python-calamine) or a CSV file and
returns the rows under a header row, with Excel's own row numbers:

- **CSV encoding is checked**, line by line: UTF-8 (with or without BOM), UTF-16 with a BOM, or
  GB18030 (GBK's superset). A file whose lines mix UTF-8 and GBK is refused — decoding it either
  way would store mojibake (a GBK header over UTF-8 rows reads 张伟 as 寮犱紵).
- **The sheet** is the first *visible* sheet whose header row matches (a hidden sheet or an
  instructions sheet in front is passed over); messages name the sheet read.
- **The header row** is found among the first ``HEADER_SEARCH_ROWS`` rows by its known headers, so
  a title row ("××工会会员花名册", often merged across columns) and blank rows above it are fine.
- **Aliases**: each column has a canonical header and spellings offices use; a header nobody
  recognises is *listed* (``Tabular.unknown_headers``), never dropped silently.
- **Row numbers** are the sheet's (or the CSV's line) numbers; blank rows are skipped, not
  renumbered.
- A password-protected workbook (an OLE2 compound file holding ``EncryptionInfo`` /
  ``EncryptedPackage`` streams, or a legacy xls that calamine reports as protected) gets a message
  saying so.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

HEADER_SEARCH_ROWS = 10
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class TabularError(Exception):
    """The file as a whole cannot be read: a Chinese message for the user."""


@dataclass(frozen=True)
class TabularColumn:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class Tabular:
    sheet: str  # the sheet read ("" for CSV)
    header_row: int  # Excel row number of the header row
    headers: list[Any]
    keys: list[str | None]  # per header position: the column key, or None (unknown / blank)
    rows: list[tuple[int, list[Any]]]  # (Excel row number, raw cells), blank rows left out
    unknown_headers: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”" if self.sheet else "CSV 文件"


def header_key(text: Any) -> str:
    """Headers compare without spaces, full-width forms or the required-marker asterisk."""
    return "".join(unicodedata.normalize("NFKC", str(text if text is not None else "")).split()).strip("*")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


# --- CSV decoding -----------------------------------------------------------------------------


def decode_csv(raw: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV file; refuses a file that mixes UTF-8 and GBK lines."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise TabularError("CSV 文件编码无法识别：请在 Excel 中“另存为 CSV UTF-8”后重新上传") from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    if b"\x00" in body:
        raise TabularError("该文件不是有效的 CSV 文本文件")
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines.append(number)
        except UnicodeDecodeError:
            other_lines.append(number)
    if utf8_lines and other_lines:
        raise TabularError(
            f"CSV 文件混用了两种编码：第{other_lines[0]}行是 GBK/GB18030，第{utf8_lines[0]}行是 UTF-8，"
            "直接导入会产生乱码。请在 Excel 中打开后“另存为 CSV UTF-8”（或 .xlsx）再上传"
        )
    if other_lines:
        if bom:
            raise TabularError(
                f"CSV 文件标明为 UTF-8，但第{other_lines[0]}行不是 UTF-8 编码；请“另存为 CSV UTF-8”后重新上传"
            )
        try:
            return body.decode("gb18030"), "GB18030"
        except UnicodeDecodeError:
            raise TabularError(
                f"CSV 文件第{other_lines[0]}行编码无法识别（既不是 UTF-8 也不是 GBK）；请“另存为 CSV UTF-8”后重新上传"
            ) from None
    return body.decode("utf-8"), "UTF-8-BOM" if bom else "UTF-8"


# --- workbooks --------------------------------------------------------------------------------


def is_encrypted_office_file(head: bytes) -> bool:
    """An encrypted xlsx is an OLE2 compound file (not a zip) holding the encryption streams."""
    return head.startswith(CFB_SIGNATURE) and any(name in head for name in ENCRYPTED_STREAMS)


PROTECTED_MESSAGE = "该文件设置了打开密码，系统无法读取。请在 Excel 中打开，取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存再上传"
NOT_EXCEL_MESSAGE = (
    "无法读取该文件：它不是有效的 Excel 文件（可能是其他格式改了扩展名）。请在 Excel 中“另存为 .xlsx”后重新上传"
)


def _open_workbook(source: Path | bytes) -> CalamineWorkbook:
    data = source if isinstance(source, bytes) else None
    if data is None:
        with open(source, "rb") as fh:
            head = fh.read(1 << 20)
    else:
        head = data[: 1 << 20]
    if is_encrypted_office_file(head):
        raise TabularError(PROTECTED_MESSAGE)
    try:
        return (
            CalamineWorkbook.from_filelike(io.BytesIO(data))
            if data is not None
            else CalamineWorkbook.from_path(str(source))
        )
    except PasswordError:
        raise TabularError(PROTECTED_MESSAGE) from None
    except Exception:  # calamine raises several error types for damaged or foreign files
        raise TabularError(NOT_EXCEL_MESSAGE) from None


def _sheet_rows(workbook: CalamineWorkbook, name: str) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cells) of a sheet, streamed. python-calamine yields a sheet's rows from
    row 1 even when the used range starts lower (blank rows above a title), so the count is the
    sheet's own row number (a test pins this)."""
    try:
        rows = workbook.get_sheet_by_name(name).iter_rows()
    except PasswordError:
        raise TabularError(PROTECTED_MESSAGE) from None
    except Exception:
        raise TabularError(f"无法读取工作表“{name}”：文件已损坏或格式不受支持") from None
    return ((n, r) for n, r in enumerate(rows, start=1))


# --- header matching --------------------------------------------------------------------------


def _lookup(columns: Sequence[TabularColumn]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in columns:
        out[header_key(c.header)] = c.key
        for a in c.aliases:
            out[header_key(a)] = c.key
    return out


def _match(cells: Sequence[Any], lookup: dict[str, str]) -> list[str | None]:
    return [lookup.get(header_key(h)) if not is_blank(h) else None for h in cells]


def _check_header(
    cells: list[Any], keys: list[str | None], columns: Sequence[TabularColumn], where: str, row_no: int
) -> None:
    seen: dict[str, int] = {}
    for pos, key in enumerate(keys, start=1):
        if key is None:
            continue
        if key in seen:
            raise TabularError(
                f"{where}第{row_no}行表头第{pos}列“{cell_text(cells[pos - 1])}”与第{seen[key]}列“"
                f"{cell_text(cells[seen[key] - 1])}”是同一列，请删除其中一列"
            )
        seen[key] = pos


def _find_header(
    rows: list[tuple[int, list[Any]]], columns: Sequence[TabularColumn], lookup: dict[str, str]
) -> tuple[int, list[str | None]] | None:
    """Index (into rows) of the first row holding every required header, and its keys."""
    required = {c.key for c in columns if c.required} or {columns[0].key}
    for i, (_, cells) in enumerate(rows):
        keys = _match(cells, lookup)
        if required <= set(k for k in keys if k):
            return i, keys
    return None


def _best_guess(rows: list[tuple[int, list[Any]]], lookup: dict[str, str]) -> tuple[int, list[Any]] | None:
    """For the message: the early row that looks most like a header (most known headers)."""
    best, score = None, -1
    for row_no, cells in rows[:HEADER_SEARCH_ROWS]:
        filled = [c for c in cells if not is_blank(c)]
        if not filled:
            continue
        known = sum(1 for k in _match(cells, lookup) if k)
        if known > score:
            best, score = (row_no, cells), known
    return best


def _build(
    sheet: str,
    numbered: list[tuple[int, list[Any]]],
    rest: Iterator[tuple[int, list[Any]]],
    start: int,
    keys: list[str | None],
    columns: Sequence[TabularColumn],
    max_rows: int,
    encoding: str = "",
) -> Tabular:
    header_no, header = numbered[start]
    header = list(header)
    while header and is_blank(header[-1]):
        header.pop()
    keys = keys[: len(header)]
    where = f"工作表“{sheet}”" if sheet else "CSV 文件"
    _check_header(header, keys, columns, where, header_no)
    unknown = [str(h).strip() for h, k in zip(header, keys, strict=True) if k is None and not is_blank(h)]
    out: list[tuple[int, list[Any]]] = []
    for row_no, row in itertools.chain(numbered[start + 1 :], rest):
        first = row[0] if row else None
        if not (type(first) is str and first.strip()) and (not any(row) or all(is_blank(v) for v in row)):
            continue
        out.append((row_no, row))
        if len(out) > max_rows:
            raise TabularError(f"文件超过 {max_rows} 行数据，请拆分成多个文件分别导入")
    return Tabular(sheet, header_no, header, keys, out, unknown, encoding)


def _header_message(
    where: str, columns: Sequence[TabularColumn], guess: tuple[int, list[Any]] | None, lookup: dict[str, str]
) -> str:
    required = [c for c in columns if c.required]
    if guess is None:
        return f"{where}是空的：前{HEADER_SEARCH_ROWS}行中应有表头（{'、'.join(c.header for c in required)}……）"
    row_no, cells = guess
    found_keys = {k for k in _match(cells, lookup) if k}
    missing = [c.header for c in required if c.key not in found_keys]
    shown = "、".join(cell_text(h) for h in cells if not is_blank(h)) or "（空）"
    return (
        f"{where}表头不正确：缺少必填列 {'、'.join(missing)}。"
        f"前{HEADER_SEARCH_ROWS}行中最像表头的是第{row_no}行：{shown}。请下载导入模板后按模板填写"
    )


def read_tabular(
    source: str | Path | bytes,
    *,
    filename: str = "",
    columns: Sequence[TabularColumn],
    max_rows: int = 200_000,
    prefer_sheet: str = "",
) -> Tabular:
    """Read the rows under the header row of the first visible matching sheet (or of a CSV)."""
    name = (filename or (str(source) if not isinstance(source, bytes) else "")).lower()
    suffix = Path(name).suffix
    lookup = _lookup(columns)
    if suffix == ".csv":
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
        text, encoding = decode_csv(raw)
        stream = ((n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1))
        numbered = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
        found = _find_header(numbered, columns, lookup)
        if found is None:
            raise TabularError(_header_message("CSV 文件", columns, _best_guess(numbered, lookup), lookup))
        return _build("", numbered, stream, found[0], found[1], columns, max_rows, encoding)
    if suffix not in EXCEL_SUFFIXES:
        raise TabularError("只支持 Excel（.xlsx、.xls、.ods）或 CSV（.csv）文件")
    workbook = _open_workbook(source if isinstance(source, bytes) else Path(source))
    try:
        metadata = workbook.sheets_metadata
        visible = [m.name for m in metadata if m.visible == SheetVisibleEnum.Visible]
        if prefer_sheet in visible:
            visible.remove(prefer_sheet)
            visible.insert(0, prefer_sheet)
        if not visible:
            raise TabularError("工作簿中没有可见的工作表")
        first_guess: tuple[str, tuple[int, list[Any]] | None] | None = None
        for sheet in visible:
            stream = _sheet_rows(workbook, sheet)
            numbered = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
            found = _find_header(numbered, columns, lookup)
            if found is not None:
                return _build(sheet, numbered, stream, found[0], found[1], columns, max_rows)
            if first_guess is None:
                first_guess = (sheet, _best_guess(numbered, lookup))
        assert first_guess is not None
        sheets = "、".join(f"“{s}”" for s in visible)
        message = _header_message(f"工作表“{first_guess[0]}”", columns, first_guess[1], lookup)
        if len(visible) > 1:
            message = f"在可见的工作表 {sheets} 中都没有找到表头。" + message
        raise TabularError(message)
    finally:
        with contextlib.suppress(Exception):
            workbook.close()


__all__ = [
    "HEADER_SEARCH_ROWS",
    "Tabular",
    "TabularColumn",
    "TabularError",
    "cell_text",
    "decode_csv",
    "header_key",
    "is_blank",
    "is_encrypted_office_file",
    "read_tabular",
]
