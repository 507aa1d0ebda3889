"""Moodle XML: types, base64 images, feedback, and XML that is refused."""

import base64

import pytest

from exams.exchange import base, moodle_xml
from tests.exams.exchange_helpers import fixture, png


def test_the_bank_file_reads_types_images_and_feedback():
    reading = moodle_xml.read(fixture("moodle_bank.xml"))
    items = {i.name: i for i in reading.items}
    gas = items["燃气泄漏"]
    assert gas.stem == "看图回答：服务中发现燃气泄漏，首先应当怎么做？"
    assert gas.correct == ["B"] and gas.source_category == "$course$/top/家政服务/安全常识"
    assert gas.image.name == "gas sign.png"  # @@PLUGINFILE@@/gas%20sign.png, URL-decoded
    assert gas.image.data == fixture("qti_ims/images/sign.png")
    assert gas.explanation == "开灯可能产生电火花，应先开窗通风、关闭阀门。\nA：开灯有危险。"
    assert (items["职业道德"].type, items["职业道德"].correct) == ("multiple", ["A", "B"])
    assert (items["用药"].type, items["用药"].correct) == ("true_false", ["F"])


def test_problems_name_the_question_and_say_why():
    good, problems = base.review(moodle_xml.read(fixture("moodle_bank.xml")), existing_stems=set())
    assert [g.name for g in good] == ["燃气泄漏", "职业道德", "用药"]
    assert [(p.where, p.name, p.message) for p in problems] == [
        (
            "第 4 题（第 72 行）",
            "简答",
            "填空题（简答题）：题库只有单选题、多选题和判断题，这道题不能导入。",
        ),
        ("第 5 题（第 82 行）", "缺图", "引用的图片“missing.png”不在文件中。"),
        ("第 6 题（第 94 行）", "没有答案", "没有正确答案。"),
    ]


def test_an_image_that_is_not_an_image_is_reported():
    xml = f"""<quiz><question type="multichoice"><name><text>坏图</text></name>
    <questiontext format="html"><text><![CDATA[题<img src="@@PLUGINFILE@@/x.png">]]></text>
    <file name="x.png" encoding="base64">{base64.b64encode(b"not a picture").decode()}</file>
    </questiontext><single>true</single>
    <answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>
    </question></quiz>""".encode()
    _good, problems = base.review(moodle_xml.read(xml), existing_stems=set())
    assert [p.message for p in problems] == ["图片“x.png”无法识别。"]


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
        b'<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd"><quiz/>',
    ],
    ids=["entity", "external-dtd"],
)
def test_dtds_and_entities_are_refused(xml):
    with pytest.raises(base.ExchangeError, match="DTD 或实体声明"):
        moodle_xml.read(xml)


def test_broken_or_foreign_xml_is_refused_with_a_reason():
    with pytest.raises(base.ExchangeError, match="不是有效的 XML"):
        moodle_xml.read(b"<quiz><question>")
    with pytest.raises(base.ExchangeError, match="根元素应为 <quiz>"):
        moodle_xml.read(b"<assessmentItem/>")


def test_written_files_carry_the_image_as_base64():
    item = base.Item(
        where="",
        type="single",
        stem="看图",
        choices=base.keyed(["甲", "乙"]),
        correct=["A"],
        image=base.ImageRef("p.png", png()),
    )
    data = moodle_xml.write([item], category="安全常识")
    assert b'<file name="p.png" path="/" encoding="base64">' in data
    assert moodle_xml.read(data).items[0].image.data == png()
