"""Roster (花名册) files: reading XLSX/CSV rows and validating them one by one.

Pure functions over rows; filing the valid rows is
``registry.services.rosters.roster_import_process``.
Row numbers are the spreadsheet's own (the header is row 1), so an agency can
find each reported row in the file it uploaded.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.crypto import lookup_hash
from lms.validators import normalize_mobile, validate_resident_id

#: (key, header in the file, required)
COLUMNS = [
    ("name", gettext_lazy("姓名"), True),
    ("id_number", gettext_lazy("身份证号"), True),
    ("phone", gettext_lazy("手机号"), False),
    ("branch", gettext_lazy("门店"), False),
    ("service_categories", gettext_lazy("服务类别"), False),
    ("health_check_date", gettext_lazy("体检日期"), False),
    ("health_check_expiry", gettext_lazy("体检有效期至"), False),
    ("insurer", gettext_lazy("保险公司"), False),
    ("policy_number", gettext_lazy("保单号"), False),
    ("insurance_start", gettext_lazy("保险生效日期"), False),
    ("insurance_end", gettext_lazy("保险到期日期"), False),
]
#: The liability-insurance columns: all four or none.
INSURANCE_COLUMNS = ("insurer", "policy_number", "insurance_start", "insurance_end")
# Headers are matched in Chinese whatever the interface language.
HEADERS = {
    "姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "手机号": "phone",
    "手机号码": "phone",
    "门店": "branch",
    "服务类别": "service_categories",
    "体检日期": "health_check_date",
    "体检有效期至": "health_check_expiry",
    "保险公司": "insurer",
    "保单号": "policy_number",
    "保险生效日期": "insurance_start",
    "保险到期日期": "insurance_end",
}
COLUMN_LABELS = {
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机号",
    "branch": "门店",
    "service_categories": "服务类别",
    "health_check_date": "体检日期",
    "health_check_expiry": "体检有效期至",
    "insurer": "保险公司",
    "policy_number": "保单号",
    "insurance_start": "保险生效日期",
    "insurance_end": "保险到期日期",
}
MAX_ROWS = 50_000
#: Rows of the template whose text columns are pre-formatted as text.
TEMPLATE_TEXT_ROWS = 1000


#: Columns the template formats as text, so Excel keeps their digits as typed.
TEXT_COLUMNS = ("id_number", "phone", "policy_number")
#: An ID number that Excel turned into a number and a CSV then wrote as such.
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE][+]?\d+")
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


class RosterFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, too many rows)."""


class NumberCell(str):
    """A cell's text that the spreadsheet held as a number, not as text."""


@dataclass
class RowResult:
    row: int
    data: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column label, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value) -> str | datetime.date:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        return NumberCell(value)
    return str(value).strip()


def _id_was_a_number(value) -> bool:
    """Whether Excel stored the ID as a number: its last digits are gone (15 significant)."""
    return isinstance(value, NumberCell) or bool(_SCIENTIFIC.fullmatch(str(value).strip()))


def _map_header(header: list) -> dict[int, str]:
    mapping = {}
    for index, title in enumerate(header):
        key = HEADERS.get(str(title or "").strip().replace(" ", ""))
        if key:
            mapping[index] = key
    missing = [
        COLUMN_LABELS[k]
        for k, _label, required in COLUMNS
        if required and k not in mapping.values()
    ]
    if missing:
        raise RosterFileError(
            _("表头缺少必填列：%(cols)s。请使用模板。") % {"cols": "、".join(missing)}
        )
    return mapping


def _raw_rows(data: bytes, filename: str) -> Iterator[list]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any parse failure is "not a workbook"
            raise RosterFileError(_("无法读取这个 Excel 文件，请确认是 .xlsx 格式。")) from exc
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield list(values)
        finally:
            workbook.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterFileError(_("无法识别 CSV 文件的编码，请另存为 UTF-8。"))
        yield from csv.reader(io.StringIO(text))
    else:
        raise RosterFileError(_("只支持 .xlsx 或 .csv 文件。"))


def read_roster(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """All data rows as (row number, {column key: value}); blank rows are skipped."""
    rows = _raw_rows(data, filename)
    header = next(rows, None)
    if header is None:
        raise RosterFileError(_("文件是空的。"))
    mapping = _map_header(header)
    result = []
    for number, values in enumerate(rows, start=2):
        cells = {key: _cell(values[i]) if i < len(values) else "" for i, key in mapping.items()}
        if not any(cells.values()):
            continue
        result.append((number, cells))
        if len(result) > MAX_ROWS:
            raise RosterFileError(_("一次最多导入 %(n)d 行，请拆分文件。") % {"n": MAX_ROWS})
    return result


def _date(value, column: str, errors: list) -> datetime.date | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    chinese = _CHINESE_DATE.fullmatch(text)
    if chinese:
        text = "-".join(chinese.groups())
    text = text.replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    errors.append((column, _("日期格式不正确，应为 2025-03-01。")))
    return None


def validate_row(
    number: int,
    cells: dict,
    *,
    branches: dict[str, object],
    categories: dict[str, object],
    default_branch=None,
    seen: dict[str, int],
    today: datetime.date,
) -> RowResult:
    """Check one row; collects every problem of the row (not only the first).

    `seen` maps ID-number hashes already present earlier in the file to their
    row, to report duplicates within the file.
    """
    result = RowResult(row=number)
    errors = result.errors
    name = " ".join(str(cells.get("name", "")).split())
    if not name:
        errors.append(("姓名", _("姓名不能为空。")))
    elif len(name) > 50:
        errors.append(("姓名", _("姓名不能超过 50 个字。")))
    id_number = ""
    raw_id = cells.get("id_number", "")
    if raw_id and _id_was_a_number(raw_id):
        # The check digit would fail too, but the fix is the column's format.
        errors.append(("身份证号", _("身份证号被 Excel 转成了数字，请把该列设为文本后重新填写")))
    else:
        try:
            id_number = validate_resident_id(str(raw_id))
        except ValidationError as exc:
            errors.append(("身份证号", " ".join(str(m) for m in exc.messages)))
    if id_number:
        digest = lookup_hash(id_number)
        if digest in seen:
            errors.append(
                ("身份证号", _("与第 %(row)d 行的身份证号重复。") % {"row": seen[digest]})
            )
        else:
            seen[digest] = number
    phone = ""
    try:
        phone = normalize_mobile(str(cells.get("phone", "")))  # spaces, dashes, +86 dropped
    except ValidationError:
        errors.append(("手机号", _("手机号应为 11 位数字，以 1 开头。")))
    branch = default_branch
    branch_name = str(cells.get("branch", "")).strip()
    if branch_name:
        branch = branches.get(branch_name)
        if branch is None:
            errors.append(("门店", _("本企业没有名为“%(name)s”的门店。") % {"name": branch_name}))
    chosen = []
    raw_categories = str(cells.get("service_categories", "")).replace("，", ",").replace("、", ",")
    for label in filter(None, (c.strip() for c in raw_categories.split(","))):
        category = categories.get(label)
        if category is None:
            errors.append(("服务类别", _("未知的服务类别“%(name)s”。") % {"name": label}))
        else:
            chosen.append(category)
    check = _date(cells.get("health_check_date"), "体检日期", errors)
    expiry = _date(cells.get("health_check_expiry"), "体检有效期至", errors)
    if check and check > today:
        errors.append(("体检日期", _("体检日期不能晚于今天。")))
    if check and expiry and expiry < check:
        errors.append(("体检有效期至", _("体检有效期不能早于体检日期。")))
    insurance = None
    if any(str(cells.get(key, "") or "").strip() for key in INSURANCE_COLUMNS):
        insurer = " ".join(str(cells.get("insurer", "") or "").split())
        policy = str(cells.get("policy_number", "") or "").strip()
        start = _date(cells.get("insurance_start"), "保险生效日期", errors)
        end = _date(cells.get("insurance_end"), "保险到期日期", errors)
        for key, value in (
            ("insurer", insurer),
            ("policy_number", policy),
            ("insurance_start", start),
            ("insurance_end", end),
        ):
            if not value and not any(c == COLUMN_LABELS[key] for c, _m in errors):
                errors.append(
                    (COLUMN_LABELS[key], _("填写保险信息时，保险公司、保单号和起止日期都要填。"))
                )
        if start and end and end < start:
            errors.append(("保险到期日期", _("保险到期日期不能早于生效日期。")))
        insurance = {
            "insurer": insurer,
            "policy_number": policy,
            "start_date": start,
            "end_date": end,
        }
    result.data = {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "branch": branch,
        "service_categories": chosen,
        "health_check_date": check,
        "health_check_expiry": expiry,
        "insurance": insurance,
    }
    return result


def template_xlsx() -> bytes:
    """An empty roster with the header and one example row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append([COLUMN_LABELS[k] for k, _label, _req in COLUMNS])
    sheet.append(
        [
            "张小红",
            "（18 位身份证号）",
            "13800000000",
            "",
            "家务服务、母婴护理",
            "2025-03-01",
            "2026-02-28",
            "（保险公司，可不填）",
            "",
            "",
            "",
        ]
    )
    widths = (10, 22, 14, 16, 24, 12, 14, 18, 20, 14, 14)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    # Text format ("@") on the ID, phone and policy columns: as a number, Excel
    # shows an ID as 1.10101E+17 and keeps only its first 15 digits.
    keys = [key for key, _label, _req in COLUMNS]
    for key in TEXT_COLUMNS:
        column = sheet.cell(row=1, column=keys.index(key) + 1).column_letter
        sheet.column_dimensions[column].number_format = "@"
        for row in range(2, TEMPLATE_TEXT_ROWS + 2):
            sheet[f"{column}{row}"].number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors_csv(errors: list[dict]) -> bytes:
    """The error report: one line per problem (row, column, reason), UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "原因"])
    for error in errors:
        writer.writerow([error["row"], error["column"], error["message"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
