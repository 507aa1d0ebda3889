"""The results sheet as a spreadsheet (openpyxl): results, the report's figures, incidents.

Pure rendering: plain values in, XLSX bytes out. Names and ID numbers arrive
masked.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Font


def _sheet(workbook, title: str, header: list[str], rows: list[list], *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (8, 12, 22, 8, 10, 10, 40), strict=False):
        sheet.column_dimensions[column].width = width
    return sheet


def results_xlsx(*, sitting: dict, rows: list[dict], summary: dict, incidents: list[dict]) -> bytes:
    """Three sheets: 成绩 (one row per seat), 考场报告 (the figures), 考场记录 (incidents)."""
    workbook = Workbook()
    _sheet(
        workbook,
        _("成绩"),
        [_("座位"), _("姓名"), _("身份证号"), _("到场"), _("成绩"), _("结果"), _("备注")],
        [
            [
                r["seat"],
                r["name"],
                r["id_number"],
                r["attended"],
                r["percent"],
                r["result"],
                r["note"],
            ]
            for r in rows
        ],
        first=True,
    )
    _sheet(
        workbook,
        _("考场报告"),
        [_("项目"), _("数值")],
        [
            [_("考试"), sitting["exam"]],
            [_("考点"), sitting["station"]],
            [_("时间"), sitting["window"]],
            [_("监考员"), sitting["proctor"]],
            [_("预约人数"), summary["booked"]],
            [_("到场人数"), summary["attended"]],
            [_("缺考人数"), summary["no_shows"]],
            [_("交卷人数"), summary["finished"]],
            [_("通过人数"), summary["passed"]],
            [_("通过率"), summary["pass_rate"]],
            [_("考场记录"), len(incidents)],
        ],
    )
    _sheet(
        workbook,
        _("考场记录"),
        [_("时间"), _("座位"), _("类型"), _("分钟"), _("原因"), _("记录人")],
        [[i["time"], i["seat"], i["kind"], i["minutes"], i["reason"], i["by"]] for i in incidents],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
