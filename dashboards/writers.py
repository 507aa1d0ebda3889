"""The dashboards' writers: rows or plain data in, document bytes out (no ORM).

The monthly report (PDF, XLSX), the statistics workbook, the card-collection sheet
and the staff-progress spreadsheet (CSV, XLSX: ``ProgressSheet``), which the report's
download and the background export job both write.

PDFs use reportlab with an embedded CJK TrueType font when one is installed
(Debian's fonts-wqy-microhei), backed by a Latin face for the characters it
lacks, else reportlab's built-in ``STSong-Light`` (``lms.pdffonts``).
"""

from __future__ import annotations

import codecs
import io
from collections import OrderedDict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.views.mixins import SpreadsheetExportMixin

from lms import pdffonts
from registry.models import FilingStatus

COLUMN_LABELS = {
    "submitted": "新提交备案",
    "approved": "登记通过",
    "returned": "退回修改",
    "rejected": "未通过",
    "cards": "发卡",
    "enrolled": "报名",
    "completed": "学完",
    "attempts": "考试人次",
    "passed": "通过",
    "first_attempts": "首次考试",
    "first_passed": "首次通过",
    "issued": "发证",
    "revoked": "撤销",
    "valid_at_end": "月末有效证书",
    "commendation": "表彰",
    "complaint": "投诉",
    "violation": "违规",
    "blacklist": "黑名单",
    "received": "受理投诉",
    "closed": "办结",
    "upheld": "成立（含部分成立）",
    "on_time": "按期办结",
}

TABLE_TITLES = {
    "registration": "登记注册",
    "training": "培训",
    "exams": "考试",
    "certificates": "证书",
    "credit": "信用记录",
    "complaints": "投诉办理",
}


def column_label(column: str) -> str:
    """A monthly-report column's heading in the reader's language."""
    return _(COLUMN_LABELS.get(column, column))


def table_title(table: str) -> str:
    """A monthly-report section's title in the reader's language."""
    return _(TABLE_TITLES.get(table, table))


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _cells(chain, rows: list[list], style) -> list[list]:
    """Table cells as given, but a cell the main face cannot draw whole as a Paragraph."""
    from reportlab.platypus import Paragraph

    def cell(value):
        text = str(value)
        if all(font == chain.primary for font, _piece in chain.runs(text)):
            return text
        return Paragraph(chain.markup(text), style)

    return [[cell(value) for value in row] for row in rows]


def report_pdf(data: dict, *, scope_label: str = "", font_path: str | None = None) -> bytes:
    """The monthly report as a PDF in Chinese: one table per section, by district,
    each figure with its change from the previous month."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    chain = pdffonts.document_chain(font_path)
    font = chain.primary
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("家政行业监管月报 %(month)s") % {"month": data.get("month", "")},
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=6)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, alignment=2)
    story = [
        Paragraph(
            chain.markup(
                _("上海市家政服务行业监管月报（%(month)s）") % {"month": data.get("month", "")}
            ),
            title,
        ),
        Paragraph(chain.markup(scope_label or _("范围：全市")), body),
        Paragraph(chain.markup(_("括号内为与上月相比的变化。")), body),
        Spacer(1, 4 * mm),
    ]
    for table_name, content in data.get("tables", {}).items():
        columns = content["columns"]
        rows = [[_("区")] + [column_label(c) for c in columns]]
        for row in content["rows"]:
            rows.append(
                [row["label"]]
                + [f"{row['values'][c]} ({_signed(row['change'][c])})" for c in columns]
            )
        rows.append(
            [_("合计")]
            + [f"{content['total'][c]} ({_signed(content['total_change'][c])})" for c in columns]
        )
        table = Table(_cells(chain, rows, cell), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        story += [
            Paragraph(chain.markup(table_title(table_name)), heading),
            table,
            Spacer(1, 3 * mm),
        ]
    doc.build(story)
    return buffer.getvalue()


def report_xlsx(data: dict) -> bytes:
    """The monthly report as a workbook: one sheet per section."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table_name, content in data.get("tables", {}).items():
        sheet = workbook.create_sheet(title=table_title(table_name))
        columns = content["columns"]
        sheet.append(
            [_("区")]
            + [column_label(c) for c in columns]
            + [_("%(column)s较上月") % {"column": column_label(c)} for c in columns]
        )
        for row in content["rows"]:
            sheet.append(
                [row["label"]]
                + [row["values"][c] for c in columns]
                + [row["change"][c] for c in columns]
            )
        sheet.append(
            [_("合计")]
            + [content["total"][c] for c in columns]
            + [content["total_change"][c] for c in columns]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def tables_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook from (title, headings, rows) triples (statistics exports)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headings, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def card_collection_pdf(
    *, agency_name: str, rows: list[dict], printed_on: str, font_path: str | None = None
) -> bytes:
    """The batch card-collection sheet (集体领卡签收单): one line per worker to sign."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    chain = pdffonts.document_chain(font_path)
    font = chain.primary
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("集体领卡签收单"),
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    table_rows = [[_("序号"), _("姓名"), _("身份证号"), _("服务类别"), _("门店"), _("本人签收")]]
    for index, row in enumerate(rows, start=1):
        table_rows.append(
            [str(index), row["name"], row["id_number"], row["categories"], row["branch"], ""]
        )
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11)
    table = Table(
        _cells(chain, table_rows, cell),
        colWidths=[12 * mm, 25 * mm, 42 * mm, 35 * mm, 35 * mm, 30 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
                ("TOPPADDING", (0, 1), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
            ]
        )
    )
    story = [
        Paragraph(chain.markup(_("家政服务员集体领卡签收单")), title),
        Spacer(1, 4 * mm),
        Paragraph(chain.markup(_("领卡机构：%(agency)s") % {"agency": agency_name}), body),
        Paragraph(
            chain.markup(
                _("打印日期：%(date)s　　人数：%(count)s")
                % {"date": printed_on, "count": len(rows)}
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 10 * mm),
        Paragraph(
            chain.markup(
                _("领卡人签字：____________　　发卡人签字：____________　　日期：____________")
            ),
            body,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- the staff-progress spreadsheet ---------------------------------------------------------------

FILING_LABELS = dict(FilingStatus.choices)


def last_exam_text(worker) -> str:
    """The last exam of a report row in words: title, result and score ("" for none)."""
    if worker.last_exam_id is None:
        return ""
    if worker.last_exam_passed is None:
        result = _("待评分")
    else:
        result = _("通过") if worker.last_exam_passed else _("未通过")
    score = ""
    if worker.last_exam_score is not None and worker.last_exam_max:
        score = f" {round(float(worker.last_exam_score) * 100 / float(worker.last_exam_max))}"
    return f"{worker.last_exam_title} {result}{score}"


class ProgressSheet(SpreadsheetExportMixin):
    """The staff-progress report as a spreadsheet: one line per decorated row
    (``selectors.progress_report.iter_decorated``), written as Wagtail's listings write
    theirs; ``rows_written`` counts the lines."""

    list_export = [
        "name",
        "card_number",
        "branch",
        "filing_status",
        "door",
        "door_reasons",
        "courses",
        "last_exam",
        "attempts_left",
        "certificate_number",
        "certificate_status",
        "certificate_expires_on",
        "health_check_expiry",
        "insurance_expiry",
    ]
    export_headings = {
        "name": gettext_lazy("姓名"),
        "card_number": gettext_lazy("家政卡号"),
        "branch": gettext_lazy("门店"),
        "filing_status": gettext_lazy("备案状态"),
        "door": gettext_lazy("上门码颜色"),
        "door_reasons": gettext_lazy("颜色原因"),
        "courses": gettext_lazy("课程进度"),
        "last_exam": gettext_lazy("最近考试"),
        "attempts_left": gettext_lazy("剩余考试次数"),
        "certificate_number": gettext_lazy("证书编号"),
        "certificate_status": gettext_lazy("证书状态"),
        "certificate_expires_on": gettext_lazy("证书有效期至"),
        "health_check_expiry": gettext_lazy("体检有效期至"),
        "insurance_expiry": gettext_lazy("保险有效期至"),
    }

    def __init__(self):
        self.rows_written = 0

    def to_row_dict(self, item):
        self.rows_written += 1
        return OrderedDict(
            [
                ("name", item.name),
                ("card_number", item.card_number or ""),
                ("branch", item.branch.name if item.branch else ""),
                ("filing_status", str(FILING_LABELS.get(item.filing_status, ""))),
                ("door", item.door_label),
                ("door_reasons", "；".join(item.door_reasons)),
                (
                    "courses",
                    "；".join(f"{c['course']} {c['percent']}%" for c in item.courses),
                ),
                ("last_exam", last_exam_text(item)),
                ("attempts_left", item.attempts_left if item.attempts_left is not None else ""),
                ("certificate_number", item.certificate_number or ""),
                ("certificate_status", item.certificate_label),
                ("certificate_expires_on", item.certificate_expires_on),
                ("health_check_expiry", item.health_check_expiry),
                ("insurance_expiry", item.insurance_expiry),
            ]
        )

    def stream_csv(self, rows):
        """The CSV as encoded lines; the first is the UTF-8 byte-order mark, because Excel,
        the agencies' tool, reads a CSV without one in the system code page (GBK) and
        shows the Chinese as mojibake."""
        yield codecs.BOM_UTF8
        yield from super().stream_csv(rows)

    def csv_bytes(self, rows) -> bytes:
        """The whole CSV at once (for a stored export file)."""
        return b"".join(self.stream_csv(rows))

    def xlsx_bytes(self, rows) -> bytes:
        """The workbook (one sheet, headings first)."""
        output = io.BytesIO()
        self.write_xlsx(rows, output)
        return output.getvalue()
