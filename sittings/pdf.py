"""The sittings' paper: exam tickets (准考证) and the results sheet, drawn with reportlab.

Pure rendering: plain values in, PDF bytes out, no database access. Names
arrive masked; the only secret on a ticket is its one-time code.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from lms import pdffonts

TICKETS_PER_PAGE = 4


def tickets_pdf(
    *, sitting: dict, tickets: list[dict], kiosk_url: str, font_path: str | None = None
) -> bytes:
    """Four tickets to an A4 page, to cut apart. `sitting`: exam, station, address, window;
    each ticket: seat, name (masked), code."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    chain = pdffonts.document_chain(font_path)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("准考证 %(exam)s") % {"exam": sitting["exam"]})
    width, height = A4
    box_h = height / TICKETS_PER_PAGE
    for index, ticket in enumerate(tickets):
        slot = index % TICKETS_PER_PAGE
        if index and slot == 0:
            canvas.showPage()
        top = height - slot * box_h
        left = 18 * mm
        canvas.setDash(3, 3)
        canvas.line(10 * mm, top - box_h + 2, width - 10 * mm, top - box_h + 2)
        canvas.setDash()
        lines = [
            (13, _("上海家政服务考点考试 准考证")),
            (10, _("考试：%(exam)s") % {"exam": sitting["exam"]}),
            (10, _("考点：%(station)s（%(address)s）") % sitting),
            (10, _("时间：%(window)s") % sitting),
            (12, _("座位号：%(seat)s    姓名：%(name)s") % ticket),
        ]
        y = top - 14 * mm
        for size, text in lines:
            chain.draw(canvas, left, y, text, size)
            y -= size * 1.6
        chain.draw(canvas, left, y - 6 * mm, _("准考证号"), 10)
        chain.draw(canvas, left + 22 * mm, y - 8 * mm, ticket["code"], 22)
        notes = [
            _("在考点的考试电脑上打开 %(url)s ，输入准考证号即可开始，无需密码。")
            % {"url": kiosk_url},
            _("只在本场考试时间内、在考点电脑上有效，只能使用一次。请勿转借、拍照外传。"),
        ]
        y -= 18 * mm
        for note in notes:
            chain.draw(canvas, left, y, note, 8.5)
            y -= 12
    if not tickets:
        chain.draw(canvas, 18 * mm, height - 20 * mm, _("本场考试没有待打印的准考证。"), 12)
    canvas.save()
    return buffer.getvalue()


def results_pdf(
    *, sitting: dict, rows: list[dict], summary: dict, font_path: str | None = None
) -> bytes:
    """The results sheet: one line per seat (masked name and ID number), then the totals."""
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
        title=_("考场成绩单"),
    )
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=21, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11)
    story = [
        Paragraph(chain.markup(_("考场成绩单")), title),
        Paragraph(chain.markup(_("考试：%(exam)s") % sitting), body),
        Paragraph(chain.markup(_("考点：%(station)s（%(address)s）") % sitting), body),
        Paragraph(chain.markup(_("时间：%(window)s    监考员：%(proctor)s") % sitting), body),
        Spacer(1, 4 * mm),
    ]
    table_rows = [[_("座位"), _("姓名"), _("身份证号"), _("到场"), _("成绩"), _("结果"), _("备注")]]
    table_rows += [
        [
            str(r["seat"]),
            r["name"],
            r["id_number"],
            r["attended"],
            r["percent"],
            r["result"],
            r["note"],
        ]
        for r in rows
    ]
    table = Table(
        [[Paragraph(chain.markup(str(value)), cell) for value in row] for row in table_rows],
        colWidths=[12 * mm, 22 * mm, 42 * mm, 14 * mm, 16 * mm, 18 * mm, 56 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        Paragraph(
            chain.markup(
                _(
                    "预约 %(booked)s 人，到场 %(attended)s 人，缺考 %(no_shows)s 人，"
                    "交卷 %(finished)s 人，通过 %(passed)s 人，通过率 %(pass_rate)s。"
                )
                % summary
            ),
            body,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
