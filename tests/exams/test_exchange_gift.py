"""GIFT: Moodle's published examples read as the bank's questions, every other type reported."""

import pytest

from exams.exchange import base, gift
from tests.exams.exchange_helpers import fixture


def read(name):
    return gift.read(fixture(name))


def test_moodles_examples_map_to_single_multiple_and_true_false():
    reading = read("moodle_examples.gift.txt")
    by_line = {item.where: item for item in reading.items}
    tomb = by_line["第 8 行"]
    assert (tomb.type, tomb.stem, tomb.correct) == (
        "single",
        "Who's buried in Grant's tomb?",
        ["C"],
    )
    assert [c["text"] for c in tomb.choices] == ["Grant", "Jefferson", "no one"]
    assert by_line["第 10 行"].stem == "Grant is _____ in Grant's tomb."  # missing word
    assert (by_line["第 12 行"].type, by_line["第 12 行"].correct) == ("true_false", ["F"])
    assert by_line["第 51 行"].correct == ["T"]


def test_weighted_multiple_answers_are_multiple_with_the_positive_weights_right():
    reading = read("moodle_examples.gift.txt")
    for line in ("第 130 行", "第 136 行"):  # ~%50% twice, with and without negative weights
        item = next(i for i in reading.items if i.where == line)
        assert item.type == "multiple"
        assert [c["text"] for c in item.choices if c["key"] in item.correct] == [
            "Grant",
            "Grant's wife",
        ]


def test_unsupported_types_are_parsed_and_reported_with_their_line():
    problems = {
        (p.where, p.message.split("：")[0]) for p in read("moodle_examples.gift.txt").problems
    }
    assert ("第 14 行", "填空题（简答题）") in problems
    assert ("第 16 行", "数值题") in problems
    assert ("第 55 行", "匹配题") in problems
    moodle = {p.name: p.message for p in read("moodle_questions.gift.txt").problems}
    assert moodle["Q8"].startswith("问答题")
    assert moodle["Moodle activities"].startswith("匹配题")
    assert moodle["Q5"].startswith("数值题")
    assert all("题库只有单选题、多选题和判断题" in m for m in moodle.values())


def test_feedback_and_general_feedback_become_the_explanation():
    items = {i.name: i for i in read("moodle_questions.gift.txt").items}
    assert (
        items["Q2"].explanation == "A：right; good!\nB：wrong, it's yellow\nC：wrong, it's yellow"
    )
    assert items["Q1"].explanation.startswith("This is, of course, a Hitchiker's Guide")
    assert "答错时：42 is the Ultimate Answer." in items["Q1"].explanation
    assert "文件中的注释：true/false, with general feedback" in items["Q1"].notes


def test_escapes_categories_and_html_are_read():
    reading = read("moodle_examples.gift.txt")
    control = next(i for i in reading.items if i.where == "第 148 行")
    assert [c["text"] for c in control.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert control.correct == ["F"]
    in_category = read("moodle_questions_in_category.gift.txt").items
    greeting = in_category[0]
    assert greeting.source_category == "$course$/Default for New Features"
    assert greeting.stem == "Listen to this greeting:\nWhat language is being spoken?"
    assert greeting.correct == ["B"]


def test_partial_credit_in_single_choice_is_a_note_and_several_right_answers_a_problem():
    difficult = next(i for i in read("moodle_examples.gift.txt").items if i.where == "第 115 行")
    assert difficult.type == "single" and difficult.correct == ["C"]
    assert any("部分得分" in n for n in difficult.notes)
    reading = gift.read(b"Which two?{=a =b ~c}")
    _good, problems = base.review(reading, existing_stems=set())
    assert [p.message for p in problems] == ["单选题只能有一个答案。"]


def test_duplicates_within_the_file_are_reported_against_the_first():
    reading = read("moodle_examples.gift.txt")
    good, problems = base.review(reading, existing_stems=set())
    repeated = [p for p in problems if p.where == "第 25 行"]
    assert [p.message for p in repeated] == ["与第 8 行的题干相同（文件中重复）。"]
    assert len(good) == len({i.stem for i in good})


def test_images_in_gift_are_reported_missing():
    reading = gift.read('[html]看图<img src="@@PLUGINFILE@@/a.png">{=甲 ~乙}'.encode())
    _good, problems = base.review(reading, existing_stems=set())
    assert [p.message for p in problems] == ["引用的图片“a.png”不在文件中。"]


@pytest.mark.parametrize(
    "data",
    [
        "\ufeff::甲::题干一{=对 ~错}\r\n\r\n::乙::题干二{TRUE}\r\n".encode(),
        "::甲::题干一{=对 ~错}\n\n::乙::题干二{TRUE}\n".encode("utf-16"),
        "::甲::题干一{=对 ~错}\n\n::乙::题干二{TRUE}\n".encode("gbk"),
    ],
    ids=["bom-crlf", "utf16", "gbk"],
)
def test_windows_files_read_alike(data):
    items = gift.read(data).items
    assert [(i.name, i.stem, i.type) for i in items] == [
        ("甲", "题干一", "single"),
        ("乙", "题干二", "true_false"),
    ]


def test_an_unclosed_brace_is_a_problem_of_its_line():
    reading = gift.read(b"first{=a ~b}\n\nsecond{=a ~b\n")
    assert [(p.where, p.message) for p in reading.problems] == [
        ("第 3 行", "缺少答案部分的右花括号“}”。")
    ]
