"""The import template and the error report (the uploaded rows plus an error column)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from members.importing.columns import COLUMNS, ERROR_HEADER, SHEET_NAME, _header_key
from members.importing.planning import Plan
from members.importing.reading import _is_blank
from members.importing.validating import _text
from orgs.models import Organisation


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
