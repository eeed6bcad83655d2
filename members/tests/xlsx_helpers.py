from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from members.importing import COLUMNS

HEADERS = [c.header + ("*" if c.required else "") for c in COLUMNS]


def write_rows(path: Path, rows: list[list], headers: list[str] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("会员名单")
    for c, h in enumerate(headers or HEADERS):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


def row(name: str, id_number: str, org: str, joined: str = "2024-05-01", mobile: str = "", **extra) -> list:
    values = {"name": name, "id_number": id_number, "org_code": org, "joined_on": joined, "mobile": mobile, **extra}
    return [values.get(c.key, "") for c in COLUMNS]


def read_sheet(path_or_bytes) -> list[list]:
    import io

    if isinstance(path_or_bytes, bytes):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(path_or_bytes))
    else:
        wb = CalamineWorkbook.from_path(str(path_or_bytes))
    return wb.get_sheet_by_index(0).to_python()


def with_empty_trailing_rows(path: Path, rows: list[list], empty_rows: int) -> Path:
    """A workbook whose sheet has ``empty_rows`` rows of empty-text cells after the data, as Excel
    leaves when someone clears contents or formats whole columns (written as raw XML: XlsxWriter takes ~6 s for 1M)."""

    def cell(ref: str, value: str) -> str:
        value = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    def col(i: int) -> str:
        return chr(ord("A") + i)

    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    all_rows = [HEADERS, *rows]
    for r, values in enumerate(all_rows, start=1):
        parts.append(
            f'<row r="{r}">' + "".join(cell(f"{col(i)}{r}", str(v)) for i, v in enumerate(values) if v != "") + "</row>"
        )
    start = len(all_rows) + 1
    parts.append(
        "".join(
            f'<row r="{r}"><c r="A{r}" s="1" t="inlineStr"><is><t></t></is></c><c r="B{r}" s="1"/></row>'
            for r in range(start, start + empty_rows)
        )
    )
    parts.append("</sheetData></worksheet>")
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="会员名单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf fillId="2" applyFill="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": "".join(parts),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    return path
