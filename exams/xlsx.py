"""The question bank as a spreadsheet: template, export, and row-by-row validation of an import.

Pure functions on bytes and plain values; no ORM access (the caller passes in
what it knows of the bank). An import is either wholly valid or not written at
all: :func:`parse_questions` returns every row's errors at once, and
:func:`error_report` hands the file back with an error column.
"""

from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext as _

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import grading, question_rules

MAX_ROWS = 5000
CHOICE_KEYS = question_rules.CHOICE_KEYS

# Column headers (Chinese, as editors read them); the order of the template.
H_ID = "编号"
H_CATEGORY = "分类"
H_TYPE = "题型"
H_STEM = "题干"
H_CHOICES = [f"选项{k}" for k in CHOICE_KEYS]
H_ANSWER = "答案"
H_EXPLANATION = "解析"
H_DIFFICULTY = "难度"
H_ACTIVE = "启用"
HEADERS = [
    H_ID,
    H_CATEGORY,
    H_TYPE,
    H_STEM,
    *H_CHOICES,
    H_ANSWER,
    H_EXPLANATION,
    H_DIFFICULTY,
    H_ACTIVE,
]
REQUIRED = [H_CATEGORY, H_TYPE, H_STEM, H_ANSWER]
H_ERROR = "错误说明"

TYPE_WORDS = {
    "单选": grading.SINGLE,
    "单选题": grading.SINGLE,
    "single": grading.SINGLE,
    "多选": grading.MULTIPLE,
    "多选题": grading.MULTIPLE,
    "multiple": grading.MULTIPLE,
    "判断": grading.TRUE_FALSE,
    "判断题": grading.TRUE_FALSE,
    "true_false": grading.TRUE_FALSE,
}
TYPE_LABELS = {grading.SINGLE: "单选题", grading.MULTIPLE: "多选题", grading.TRUE_FALSE: "判断题"}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "T", "TRUE", "Y"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "F", "FALSE", "N"}
DIFFICULTY_WORDS = {
    "容易": 1,
    "简单": 1,
    "1": 1,
    "中等": 2,
    "一般": 2,
    "2": 2,
    "较难": 3,
    "难": 3,
    "3": 3,
}
DIFFICULTY_LABELS = {1: "容易", 2: "中等", 3: "较难"}
ACTIVE_WORDS = {
    "是": True,
    "启用": True,
    "Y": True,
    "1": True,
    "否": False,
    "停用": False,
    "N": False,
    "0": False,
}

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
ERROR_FILL = PatternFill("solid", fgColor="FDE8E6")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # header name, or "" for the whole row/file
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)s 行") % {"row": self.row} if self.row else _("文件")
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _style_header(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"
    widths = {H_STEM: 48, H_EXPLANATION: 36, H_CATEGORY: 16}
    for i, cell in enumerate(sheet[1], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(cell.value, 14)


def _save(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def build_template(categories: list[str]) -> bytes:
    """An empty import file: headers, three example rows, an instructions sheet, the categories."""
    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(HEADERS)
    example_category = categories[0] if categories else "服务规范与职业道德"
    sheet.append(
        [
            "",
            example_category,
            "单选题",
            "上门服务前，家政服务员首先应当做什么？",
            "核对雇主地址和服务内容",
            "直接开始打扫",
            "先向雇主借用物品",
            "",
            "",
            "",
            "A",
            "上门前核对地址和服务内容，避免走错门、做错事。",
            "容易",
            "是",
        ]
    )
    sheet.append(
        [
            "",
            example_category,
            "多选题",
            "下列哪些做法符合家政服务职业道德？",
            "尊重雇主隐私",
            "按约定时间到岗",
            "私自带走雇主物品",
            "有事提前请假",
            "",
            "",
            "ABD",
            "",
            "中等",
            "是",
        ]
    )
    sheet.append(
        [
            "",
            example_category,
            "判断题",
            "服务中发现燃气泄漏，应立即开灯检查。",
            "",
            "",
            "",
            "",
            "",
            "",
            "错误",
            "开灯可能产生电火花，应先开窗通风、关闭阀门。",
            "中等",
            "是",
        ]
    )
    _style_header(sheet)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    guide = book.create_sheet("填写说明")
    lines = [
        ("编号", "留空表示新增试题；填写导出文件中的编号表示修改该题。"),
        ("分类", "必须是已有的题目分类（见“分类”工作表），或在导入时勾选“自动创建新分类”。"),
        ("题型", "单选题、多选题或判断题。"),
        ("题干", "必填。图片请导入后在后台为试题添加。"),
        ("选项A～F", "单选题、多选题至少填两个选项，从 A 开始连续填写；判断题不填。"),
        ("答案", "单选题填一个字母，如 B；多选题填两个以上字母，如 ACD；判断题填“正确”或“错误”。"),
        ("解析", "可不填，交卷后按考试设置显示给考生。"),
        ("难度", "容易、中等或较难；不填为中等。"),
        ("启用", "是或否；不填为是。停用的试题不会被抽到。"),
        ("整表导入", "只要有一行出错，整张表都不会导入。请按错误报告修改后重新上传。"),
    ]
    guide.append(["列", "填写要求"])
    for line in lines:
        guide.append(list(line))
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 90
    guide["A1"].font = guide["B1"].font = Font(bold=True)

    cats = book.create_sheet("分类")
    cats.append(["已有分类"])
    for name in categories:
        cats.append([name])
    cats.column_dimensions["A"].width = 30
    return _save(book)


def export_questions(questions) -> bytes:
    """The questions (with `category` loaded) in the import layout, so an export re-imports."""
    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(HEADERS)
    for q in questions:
        if q.type == grading.TRUE_FALSE:
            texts = [""] * len(CHOICE_KEYS)
        else:
            by_key = {c["key"]: c["text"] for c in q.choices}
            texts = [by_key.get(k, "") for k in CHOICE_KEYS]
        answer = answer_text(q.type, q.correct)
        sheet.append(
            [
                q.pk,
                q.category.name,
                TYPE_LABELS.get(q.type, q.type),
                q.stem,
                *texts,
                answer,
                q.explanation,
                DIFFICULTY_LABELS.get(q.difficulty, "中等"),
                "是" if q.is_active else "否",
            ]
        )
    _style_header(sheet)
    return _save(book)


def build_choices(qtype: str | None, texts: list[str], answer: str):
    """(choices, correct keys, [(column, message)…]) from choice texts A–F and an answer.

    Shared by the spreadsheet import and the admin's question form; what a
    valid question is lives in :mod:`exams.question_rules`.
    """
    problems: list[tuple[str, str]] = []
    choices: list[dict] = []
    correct: list[str] = []
    answer = (answer or "").strip()
    column = {question_rules.FIELD_CHOICES: H_CHOICES[0], question_rules.FIELD_ANSWER: H_ANSWER}
    if qtype == grading.TRUE_FALSE:
        choices = [dict(c) for c in grading.TRUE_FALSE_CHOICES]
        word = answer.upper()
        keys = ["T"] if word in TRUE_WORDS else ["F"] if word in FALSE_WORDS else []
        problems = [(column[f], m) for f, m in question_rules.choice_problems(qtype, choices, keys)]
        return choices, ([] if problems else keys), problems
    if not qtype:
        return choices, correct, problems
    texts = [(t or "").strip() for t in texts]
    last = max((i for i, t in enumerate(texts) if t), default=-1)
    if any(not t for t in texts[: last + 1]):
        problems.append((H_CHOICES[0], _("选项要从 A 开始连续填写，中间不能空。")))
    choices = [{"key": CHOICE_KEYS[i], "text": t} for i, t in enumerate(texts[: last + 1])]
    letters = [ch for ch in answer.upper() if not ch.isspace() and ch not in ",，、"]
    rules = question_rules.choice_problems(qtype, choices, letters)
    problems += [(column[f], m) for f, m in rules if f == question_rules.FIELD_CHOICES]
    if not letters:
        problems.append((H_ANSWER, _("必填。")))
        return choices, correct, problems
    problems += [(column[f], m) for f, m in rules if f == question_rules.FIELD_ANSWER]
    if not rules:
        correct = sorted(letters)
    return choices, correct, problems


def answer_text(qtype: str, correct: list[str]) -> str:
    """The answer cell for `correct`: ACD, or 正确/错误 for true/false."""
    if qtype == grading.TRUE_FALSE:
        return "正确" if "T" in correct else "错误"
    return "".join(sorted(correct))


def _read_rows(data: bytes):
    book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    sheet = book["试题"] if "试题" in book.sheetnames else book.worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def parse_questions(
    data: bytes,
    *,
    known_categories: set[str],
    existing_ids: set[int],
    existing_stems: dict[tuple[str, str], int],
    create_categories: bool = False,
) -> ParseResult:
    """Validate every row of an import file; rows are only usable when `errors` is empty.

    `existing_stems` maps (category, stem) of the bank to question ids, so a
    re-imported file without ids does not duplicate questions.
    """
    result = ParseResult()
    try:
        raw = _read_rows(data)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same answer
        result.errors.append(
            RowError(0, "", _("文件无法读取，请使用下载的模板，保存为 .xlsx 格式。"))
        )
        return result
    if not raw:
        result.errors.append(RowError(0, "", _("文件是空的。")))
        return result
    header = [_text(v) for v in raw[0]]
    columns = {name: i for i, name in enumerate(header) if name}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.errors.append(
            RowError(
                1,
                "",
                _("缺少列：%(columns)s。请使用下载的模板。") % {"columns": "、".join(missing)},
            )
        )
        return result
    body = raw[1:]
    if len(body) > MAX_ROWS:
        result.errors.append(
            RowError(0, "", _("一次最多导入 %(max)s 行，请分批导入。") % {"max": MAX_ROWS})
        )
        return result

    seen_ids: set[int] = set()
    seen_stems: dict[tuple[str, str], int] = {}
    for offset, values in enumerate(body, start=2):

        def cell(name, values=values):
            i = columns.get(name)
            return _text(values[i]) if i is not None and i < len(values) else ""

        if not any(_text(v) for v in values):
            continue
        errors_before = len(result.errors)

        def error(column, message, row=offset):
            result.errors.append(RowError(row, column, message))

        question_id = None
        raw_id = cell(H_ID)
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in existing_ids:
                error(H_ID, _("编号 %(id)s 在题库中不存在；新增试题请留空。") % {"id": raw_id})
            elif int(raw_id) in seen_ids:
                error(H_ID, _("编号 %(id)s 在表中出现了两次。") % {"id": raw_id})
            else:
                question_id = int(raw_id)
                seen_ids.add(question_id)

        category = cell(H_CATEGORY)
        if not category:
            error(H_CATEGORY, _("必填。"))
        elif category not in known_categories and not create_categories:
            error(
                H_CATEGORY,
                _("没有“%(name)s”这个分类。请先在后台添加，或勾选“自动创建新分类”。")
                % {"name": category},
            )
        elif len(category) > 80:
            error(H_CATEGORY, _("分类名称不能超过 80 个字。"))

        qtype = TYPE_WORDS.get(cell(H_TYPE)) or TYPE_WORDS.get(cell(H_TYPE).lower())
        if not qtype:
            error(H_TYPE, _("请填写单选题、多选题或判断题。"))

        stem = cell(H_STEM)
        if not stem:
            error(H_STEM, _("必填。"))
        elif category and qtype:
            key = (category, stem)
            known = existing_stems.get(key)
            if key in seen_stems:
                error(H_STEM, _("与第 %(row)s 行的题干相同。") % {"row": seen_stems[key]})
            elif known is not None and known != question_id:
                error(
                    H_STEM,
                    _("题库中已有相同题干的试题（编号 %(id)s）。修改该题请填写编号。")
                    % {"id": known},
                )
            seen_stems[key] = offset

        choices, correct, problems = build_choices(
            qtype, [cell(h) for h in H_CHOICES], cell(H_ANSWER)
        )
        for column, message in problems:
            error(column, message)

        difficulty_word = cell(H_DIFFICULTY)
        difficulty = DIFFICULTY_WORDS.get(difficulty_word, 2 if not difficulty_word else None)
        if difficulty is None:
            error(H_DIFFICULTY, _("请填写容易、中等或较难。"))

        active_word = cell(H_ACTIVE).upper()
        is_active = ACTIVE_WORDS.get(active_word, True if not active_word else None)
        if is_active is None:
            error(H_ACTIVE, _("请填写是或否。"))

        if len(result.errors) == errors_before:
            result.rows.append(
                {
                    "row": offset,
                    "id": question_id,
                    "category": category,
                    "type": qtype,
                    "stem": stem,
                    "choices": choices,
                    "correct": correct,
                    "explanation": cell(H_EXPLANATION),
                    "difficulty": difficulty,
                    "is_active": is_active,
                }
            )
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "", _("表中没有试题。")))
    return result


def error_report(data: bytes, errors: list[RowError]) -> bytes:
    """The uploaded sheet with an error column; rows with errors are highlighted."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        text = f"「{e.column}」{e.message}" if e.column else e.message
        by_row.setdefault(e.row, []).append(text)
    book = Workbook()
    sheet = book.active
    sheet.title = "错误报告"
    try:
        raw = _read_rows(data)
    except Exception:  # noqa: BLE001
        raw = []
    if not raw:
        sheet.append([H_ERROR])
        for e in errors:
            sheet.append([str(e)])
        return _save(book)
    header = [_text(v) for v in raw[0]]
    sheet.append([H_ERROR, *header])
    file_level = by_row.pop(0, []) + by_row.pop(1, [])
    if file_level:
        sheet.append(["；".join(file_level)])
    for number, values in enumerate(raw[1:], start=2):
        problems = by_row.get(number, [])
        sheet.append(["；".join(problems), *[_text(v) for v in values]])
        if problems:
            for c in sheet[sheet.max_row]:
                c.fill = ERROR_FILL
    _style_header(sheet)
    sheet.column_dimensions["A"].width = 48
    return _save(book)
