"""The spreadsheet: template, export that re-imports, row-by-row validation, error report."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

from exams import xlsx


def workbook(rows, headers=xlsx.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def row(**values):
    cells = dict.fromkeys(xlsx.HEADERS, "")
    cells.update(
        {
            "分类": "家庭保洁",
            "题型": "单选题",
            "题干": "擦玻璃先擦哪一面？",
            "选项A": "外面",
            "选项B": "里面",
            "答案": "B",
        }
    )
    cells.update(values)
    return [cells[h] for h in xlsx.HEADERS]


def parse(data, **kwargs):
    defaults = {"known_categories": {"家庭保洁"}, "existing_ids": set(), "existing_stems": {}}
    return xlsx.parse_questions(data, **{**defaults, **kwargs})


def test_the_template_parses_cleanly():
    result = parse(xlsx.build_template(["家庭保洁"]))
    assert result.ok
    assert [r["type"] for r in result.rows] == ["single", "multiple", "true_false"]
    assert result.rows[1]["correct"] == ["A", "B", "D"]
    assert result.rows[2]["correct"] == ["F"]


def test_valid_rows_become_questions():
    result = parse(
        workbook([row(), row(题干="判断", 题型="判断题", 选项A="", 选项B="", 答案="对")])
    )
    assert result.ok
    assert result.rows[0]["choices"] == [{"key": "A", "text": "外面"}, {"key": "B", "text": "里面"}]
    assert result.rows[1]["choices"][0]["key"] == "T" and result.rows[1]["correct"] == ["T"]


def test_each_bad_row_is_reported_with_row_and_column():
    data = workbook(
        [
            row(),
            row(题干="", 分类="不存在的分类"),
            row(题干="多选只有一个答案", 题型="多选题", 答案="A"),
            row(题干="答案不在选项中", 答案="D"),
            row(题干="选项有空", 选项A="", 选项C="三"),
            row(题干="题型错", 题型="填空题"),
            row(题干="判断答案错", 题型="判断题", 答案="也许"),
            row(题干="编号不存在", 编号=12345),
            row(题干="难度错", 难度="超难"),
        ]
    )
    result = parse(data)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "分类"),
        (3, "题干"),
        (4, "答案"),
        (5, "答案"),
        (6, "选项A"),
        (7, "题型"),
        (8, "答案"),
        (9, "编号"),
        (10, "难度"),
    } <= found
    assert all(e.row != 2 for e in result.errors)
    assert "第 4 行「答案」" in str(next(e for e in result.errors if e.row == 4))


def test_duplicate_stems_in_the_file_and_in_the_bank_are_refused():
    data = workbook([row(), row(), row(题干="已有题目")])
    result = parse(data, existing_stems={("家庭保洁", "已有题目"): 7})
    messages = [e.message for e in result.errors]
    assert any("第 2 行" in m for m in messages)
    assert any("编号 7" in m for m in messages)


def test_updating_by_id_is_allowed_for_the_same_stem():
    result = parse(
        workbook([row(编号=7, 题干="已有题目")]),
        existing_ids={7},
        existing_stems={("家庭保洁", "已有题目"): 7},
    )
    assert result.ok and result.rows[0]["id"] == 7


def test_new_categories_need_the_option():
    data = workbook([row(分类="新分类")])
    assert not parse(data).ok
    assert parse(data, create_categories=True).ok


def test_missing_columns_and_unreadable_files_are_reported():
    assert "缺少列" in parse(workbook([], headers=["题干"])).errors[0].message
    assert "无法读取" in parse(b"not a spreadsheet").errors[0].message
    assert "没有试题" in parse(workbook([])).errors[0].message


def test_the_error_report_adds_an_error_column_to_the_uploaded_rows():
    data = workbook([row(), row(题干="")])
    result = parse(data)
    report = load_workbook(BytesIO(xlsx.error_report(data, result.errors))).active
    rows = list(report.iter_rows(values_only=True))
    assert rows[0][0] == "错误说明"
    assert rows[1][0] in ("", None)
    assert "题干" in rows[2][0]
