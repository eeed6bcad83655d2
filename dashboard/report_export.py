"""The work report as a file: plain text, Word (.docx, python-docx) and PDF (WeasyPrint, Noto CJK)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from dashboard.report import Report

CJK_FONT = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk; Word falls back to 宋体 where it is missing
CONTENT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def to_txt(report: Report) -> bytes:
    return report.as_text().encode("utf-8")


def _east_asian(run, font: str) -> None:
    """Word picks the East Asian font from w:eastAsia, not from the run's font name."""
    from docx.oxml.ns import qn

    run.font.name = font
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), font)


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = report.title
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title)
    run.bold = True
    run.font.size = Pt(18)
    _east_asian(run, CJK_FONT)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _east_asian(sub.add_run(report.subtitle), CJK_FONT)
    for line in report.lines:
        p = doc.add_paragraph()
        if not line.heading:
            p.paragraph_format.first_line_indent = Pt(24)
        run = p.add_run(line.text)
        run.font.size = Pt(14 if line.heading else 12)
        run.bold = line.heading
        _east_asian(run, CJK_FONT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("dashboard/report_pdf.html", {"report": report, "font": CJK_FONT})
    return HTML(string=html).write_pdf()


def export(report: Report, fmt: str) -> bytes:
    return {"txt": to_txt, "docx": to_docx, "pdf": to_pdf}[fmt](report)
