"""Aiken: messy files (GBK, BOM, CRLF, full-width markers) read, or refused with a reason."""

import pytest

from exams.exchange import aiken, base
from tests.exams.exchange_helpers import fixture


def test_a_gbk_file_with_crlf_and_full_width_markers_reads():
    reading = aiken.read(fixture("aiken_gbk_crlf.txt"))
    assert reading.encoding == "gb18030" and not reading.problems
    gas, ethics, elderly = reading.items
    assert gas.stem == "服务中发现燃气泄漏，首先应当怎么做？"
    assert [c["text"] for c in gas.choices][1] == "开窗通风、关闭燃气阀门"  # text kept as written
    assert (gas.type, gas.correct) == ("single", ["B"])
    assert (ethics.type, ethics.correct) == ("multiple", ["A", "B", "D"])
    assert elderly.where == "第 13 行" and elderly.correct == ["B"]  # no blank line before it


def test_a_bom_file_reports_each_broken_question_with_its_line():
    reading = aiken.read(fixture("aiken_bom_problems.txt"))
    assert reading.encoding == "utf-8"
    good, problems = base.review(reading, existing_stems=set())
    assert [g.stem for g in good] == [
        "Which of these is a cleaning agent safe to mix with water only?"
    ]
    assert [(p.where, p.message) for p in problems] == [
        ("第 6 行", "选项后面缺少答案行（如“ANSWER: B”）。"),
        ("第 10 行", "答案“E”不在已填写的选项中。"),
        ("第 15 行", "题干后面没有选项。"),
    ]


def test_a_file_neither_utf8_nor_gbk_is_refused_clearly():
    with pytest.raises(base.ExchangeError, match="请另存为 UTF-8"):
        aiken.read(fixture("aiken_latin1.txt"))


def test_gbk_bytes_that_do_not_read_as_chinese_are_refused():
    # Valid GBK, but Greek letters: more likely another encoding than Chinese text.
    with pytest.raises(base.ExchangeError, match="也不像中文"):
        base.decode_text("αβγδεζηθικλμ 题".encode("gbk"))


def test_options_out_of_order_end_the_question_with_a_reason():
    reading = aiken.read("题干\nA. 甲\nC. 丙\nANSWER: A\n".encode())
    assert [p.message for p in reading.problems] == [
        "第 3 行“C. 丙”既不是下一个选项（B），也不是答案行。"
    ]
