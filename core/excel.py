"""Excel export: rows written in order with XlsxWriter's constant-memory mode, one format per column."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone


def write_xlsx(
    path: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
) -> int:
    """Write one sheet; returns the number of data rows."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True})
    try:
        ws = workbook.add_worksheet(sheet[:31])
        head = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        money_fmt = workbook.add_format({"num_format": "#,##0.00"})
        for col, title in enumerate(headers):
            ws.write_string(0, col, str(title), head)
            ws.set_column(col, col, (widths[col] if widths else max(10, len(str(title)) * 2 + 2)))
        ws.freeze_panes(1, 0)
        count = 0
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    ws.write_string(r, c, "是" if value else "否")
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), money_fmt)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                elif isinstance(value, datetime):
                    ws.write_datetime(
                        r,
                        c,
                        timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value,
                        date_fmt,
                    )
                elif isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
                else:
                    # Strings are written as strings: an ID number must never become 1.1E+17.
                    ws.write_string(r, c, str(value))
            count = r
        ws.autofilter(0, 0, max(count, 1), max(len(headers) - 1, 0))
    finally:
        workbook.close()
    return count


def xlsx_response(filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> FileResponse:
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115  (the response closes, and so deletes, it)
    write_xlsx(tmp.name, sheet, headers, rows)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
