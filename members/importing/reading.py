"""Reading the roster from an Excel or CSV file (see core.tabular)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.tabular import Tabular, read_tabular
from members.importing.columns import MAX_ROWS, SHEET_NAME, TABULAR_COLUMNS


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


Table = Tabular  # (sheet, header row, headers, column keys, rows with Excel's numbers, unknown headers)


def read_table(path: str | Path, filename: str = "") -> Tabular:
    """The roster under its header row, from the first visible sheet that has one (the sheet named
    会员名单 first), or from a CSV file (see core.tabular)."""
    return read_tabular(
        Path(path), filename=filename or str(path), columns=TABULAR_COLUMNS, max_rows=MAX_ROWS, prefer_sheet=SHEET_NAME
    )
