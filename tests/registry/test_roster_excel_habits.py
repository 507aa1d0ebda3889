"""Rosters survive what Excel does to them: numeric IDs are named as such, and Chinese
dates and +86 phone numbers are accepted; the template keeps the ID column as text."""

import datetime
import io

from openpyxl import Workbook, load_workbook

from registry import roster
from tests.registry.factories import next_id_number

TODAY = datetime.date(2026, 12, 7)
EXCEL_MESSAGE = "身份证号被 Excel 转成了数字，请把该列设为文本后重新填写"


def _check(cells: dict) -> roster.RowResult:
    return roster.validate_row(
        2, cells, branches={}, categories={}, seen={}, today=TODAY, default_branch=None
    )


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_template_formats_id_phone_and_policy_columns_as_text():
    sheet = load_workbook(io.BytesIO(roster.template_xlsx())).active
    headers = [cell.value for cell in sheet[1]]
    for label in ("身份证号", "手机号", "保单号"):
        column = headers.index(label) + 1
        for row in (2, 3, 500):
            assert sheet.cell(row=row, column=column).number_format == "@", (label, row)
    assert sheet.cell(row=3, column=headers.index("姓名") + 1).number_format != "@"


def test_an_id_stored_as_a_number_in_xlsx_is_named_as_excels_doing():
    id_number = next_id_number()
    data = _xlsx([["姓名", "身份证号"], ["张小红", float(id_number[:17] + "0")]])
    [(_row, cells)] = roster.read_roster(data, "roster.xlsx")
    assert _check(cells).errors == [("身份证号", EXCEL_MESSAGE)]


def test_an_id_written_in_scientific_notation_in_csv_is_named_as_excels_doing():
    data = "姓名,身份证号\n张小红,1.10101E+17\n".encode()
    [(_row, cells)] = roster.read_roster(data, "roster.csv")
    assert _check(cells).errors == [("身份证号", EXCEL_MESSAGE)]


def test_chinese_dates_and_plus_86_phones_are_accepted():
    id_number = next_id_number()
    result = _check(
        {
            "name": "张小红",
            "id_number": id_number,
            "phone": "+86 138 0013 8000",
            "health_check_date": "2026年9月1日",
            "health_check_expiry": "2027年8月31日",
        }
    )
    assert result.errors == []
    assert result.data["phone"] == "13800138000"
    assert result.data["health_check_date"] == datetime.date(2026, 9, 1)
    assert result.data["health_check_expiry"] == datetime.date(2027, 8, 31)


def test_a_wrong_check_digit_typed_as_text_keeps_its_own_message():
    id_number = next_id_number()
    wrong = id_number[:17] + ("0" if id_number[17] != "0" else "1")
    [(_label, message)] = _check({"name": "张小红", "id_number": wrong}).errors
    assert "校验位" in message
