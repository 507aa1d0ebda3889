"""QTI 2.1 packages: 1EdTech's example items, images from the package, what is refused."""

import zipfile
from io import BytesIO

import pytest

from exams.exchange import base, qti
from tests.exams.exchange_helpers import fixture, ims_package


def test_the_1edtech_examples_read_as_single_and_multiple_choice():
    reading = qti.read(ims_package())
    luggage, water = reading.items
    assert luggage.where == "试题 choice（choice.xml）" and luggage.name == "Unattended Luggage"
    assert luggage.stem == "Look at the text in the picture.\nWhat does it say?"
    assert (luggage.type, luggage.correct) == ("single", ["A"])
    assert luggage.image.name == "sign.png"
    assert luggage.image.data == fixture("qti_ims/images/sign.png")
    assert water.type == "multiple"
    assert [c["text"] for c in water.choices if c["key"] in water.correct] == ["Hydrogen", "Oxygen"]
    assert [(p.where, p.message.split("：")[0]) for p in reading.problems] == [
        ("试题 textEntry（text_entry.xml）", "填空题（文本输入）")
    ]


def test_an_image_missing_from_the_package_is_reported():
    reading = qti.read(ims_package(skip=("images/sign.png",)))
    _good, problems = base.review(reading, existing_stems=set())
    assert ("试题 choice（choice.xml）", "引用的图片“sign.png”不在文件中。") in [
        (p.where, p.message) for p in problems
    ]


def test_an_item_listed_but_not_in_the_package_is_reported():
    reading = qti.read(ims_package(skip=("choice_multiple.xml",)))
    assert ("试题 choiceMultiple（choice_multiple.xml）", "清单列出的试题文件不在压缩包中。") in [
        (p.where, p.message) for p in reading.problems
    ]


def package(entries: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a zip", "不是有效的 zip"),
        (package({"choice.xml": b"<x/>"}), "没有 imsmanifest.xml"),
        (package({"imsmanifest.xml": b"<manifest><resources/></manifest>"}), "清单中没有试题"),
        (package({"imsmanifest.xml": b"<!DOCTYPE m [<!ENTITY a 'b'>]><m/>"}), "DTD 或实体"),
    ],
    ids=["not-zip", "no-manifest", "no-items", "entity"],
)
def test_packages_that_cannot_be_read_are_refused_with_a_reason(data, reason):
    with pytest.raises(base.ExchangeError, match=reason):
        qti.read(data)


def test_a_package_in_a_folder_and_hrefs_leaving_it():
    manifest = (
        b'<manifest><resources><resource identifier="a" type="imsqti_item_xmlv2p1" '
        b'href="../../etc/passwd"/></resources></manifest>'
    )
    reading = qti.read(package({"export/imsmanifest.xml": manifest}))
    assert [p.message for p in reading.problems] == ["清单列出的试题文件不在压缩包中。"]


def test_written_packages_have_a_manifest_items_and_images():
    item = base.Item(
        where="",
        type="true_false",
        stem="燃气泄漏时可以开灯。",
        choices=[{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
        correct=["F"],
        explanation="开灯可能产生电火花。",
    )
    data = qti.write([item])
    names = zipfile.ZipFile(BytesIO(data)).namelist()
    assert names == ["items/q1.xml", "imsmanifest.xml"]
    back = qti.read(data).items[0]
    assert (back.type, back.correct, back.explanation) == ("true_false", ["F"], item.explanation)
