"""Moodle XML: read into the bank's questions, and write them, images included.

Grammar (https://docs.moodle.org/en/Moodle_XML_format), the parts the bank uses::

    quiz        := <quiz> { question } </quiz>
    question    := <question type="T"> name questiontext [generalfeedback]
                   [<single>true|false</single>] { answer } </question>
    name        := <name><text>…</text></name>
    questiontext:= <questiontext format="html|moodle_auto_format|plain_text|markdown">
                   <text>…</text> { <file name="N" encoding="base64">…</file> } </questiontext>
    answer      := <answer fraction="F" [format="…"]><text>…</text>
                   [<feedback><text>…</text></feedback>]</answer>
    category    := <question type="category"><category><text>path</text></category></question>

How the types map to the bank:

* ``multichoice`` with ``<single>true</single>``: single choice, the answer
  with fraction 100 right (partial fractions are kept as wrong choices, with
  a note); with ``<single>false</single>``: multiple choice, every answer
  with a positive fraction right (one alone makes it single choice);
* ``multichoiceset`` (all-or-nothing plugin): multiple choice likewise;
* ``truefalse``: true/false, the answer "true" or "false" with fraction 100;
* ``shortanswer``, ``numerical``, ``matching``, ``essay``, ``description``,
  ``cloze``, ``calculated…``, ``ddwtos`` and the rest are reported as types
  the bank cannot hold.

Problems name the question by its place and the line it starts on
("第 3 题（第 41 行）") and by its name. HTML text becomes plain text. An ``<img src="@@PLUGINFILE@@/N">`` in the
question text is the question's image: the base64 ``<file name="N">`` beside
it is decoded (and stored in Wagtail's image library on import); a file that
is not there is reported. Images in answers cannot be held (choices are
text) and are reported. The general feedback is the explanation; answer
feedback is added to it as "A：…" lines.

XML is parsed with ``defusedxml`` (installed with Wagtail's Willow), which
refuses DTDs, entity declarations and external references, so an entity
expansion ("billion laughs") or an external entity cannot be used.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import xml.etree.ElementTree as ET  # noqa: S405 - used only to build documents, never to parse
from urllib.parse import quote, unquote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .. import grading
from .base import ExchangeError, ImageRef, Item, Problem, Reading, html_of, html_text, keyed, tidy

PLUGINFILE = "@@PLUGINFILE@@/"

UNSUPPORTED = {
    "shortanswer": gettext_lazy("填空题（简答题）"),
    "numerical": gettext_lazy("数值题"),
    "matching": gettext_lazy("匹配题"),
    "essay": gettext_lazy("问答题（作文题）"),
    "description": gettext_lazy("说明文字（不是试题）"),
    "cloze": gettext_lazy("嵌入式完形填空题"),
    "multianswer": gettext_lazy("嵌入式完形填空题"),
    "calculated": gettext_lazy("计算题"),
    "calculatedsimple": gettext_lazy("计算题"),
    "calculatedmulti": gettext_lazy("计算选择题"),
    "ddwtos": gettext_lazy("拖放文字题"),
    "ddimageortext": gettext_lazy("拖放图片题"),
    "ddmarker": gettext_lazy("拖放标记题"),
    "gapselect": gettext_lazy("选词填空题"),
    "randomsamatch": gettext_lazy("随机匹配题"),
    "ordering": gettext_lazy("排序题"),
    "random": gettext_lazy("随机题"),
}


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes the line each element starts on."""

    def __init__(self):
        super().__init__()
        self.parser = None
        self.lines: dict[int, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def parse_xml_lines(data: bytes, what: str):
    """(root element, {id(element): line}) of an XML document, refusing DTDs and entities."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.parser = parser
    try:
        parser.feed(data)
        return parser.close(), builder.lines
    except DefusedXmlException as exc:
        raise ExchangeError(
            _("%(what)s含有 DTD 或实体声明，出于安全原因不能读取。") % {"what": what}
        ) from exc
    except ET.ParseError as exc:
        raise ExchangeError(
            _("%(what)s不是有效的 XML（%(detail)s）。") % {"what": what, "detail": exc}
        ) from exc


def parse_xml(data: bytes, what: str):
    """The root element of an XML document, refusing DTDs and entities (ExchangeError)."""
    return parse_xml_lines(data, what)[0]


def _text(element, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "") if found is not None else ""


def _markup(element) -> tuple[str, list[str]]:
    """(plain text, image sources) of a text-bearing element, by its format attribute."""
    if element is None:
        return "", []
    raw = _text(element)
    if element.get("format", "html") in ("plain_text", "markdown"):
        return tidy(raw), []
    return html_text(raw)


def read(data: bytes) -> Reading:
    """Every question of a Moodle XML file, and what cannot be imported (see the grammar)."""
    root, lines = parse_xml_lines(data, _("文件"))
    if root.tag != "quiz":
        raise ExchangeError(_("这不是 Moodle XML 题目文件：根元素应为 <quiz>。"))
    reading = Reading(encoding="utf-8")
    category = ""
    number = 0
    for question in root.findall("question"):
        kind = question.get("type", "")
        if kind == "category":
            category = tidy(_text(question, "category/text"))
            continue
        number += 1
        name = tidy(_text(question, "name/text"))
        where = _("第 %(n)s 题（第 %(line)s 行）") % {"n": number, "line": lines.get(id(question))}
        if kind in UNSUPPORTED:
            reading.unsupported(where, str(UNSUPPORTED[kind]), name=name, order=number)
            continue
        if kind not in ("multichoice", "multichoiceset", "truefalse"):
            reading.unsupported(
                where, _("题型“%(type)s”") % {"type": kind or "?"}, name=name, order=number
            )
            continue
        item = _question(reading, question, kind, where=where, name=name, number=number)
        if item is not None:
            item.source_category = category
            reading.items.append(item)
    return reading


def _files(element) -> dict[str, bytes]:
    files = {}
    for file in element.findall("file") if element is not None else []:
        raw = "".join((file.text or "").split())
        try:
            files[file.get("name", "")] = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            files[file.get("name", "")] = b""
    return files


def _question(reading, question, kind, *, where, name, number) -> Item | None:
    text_element = question.find("questiontext")
    stem, sources = _markup(text_element)
    explanation = _markup(question.find("generalfeedback"))[0]
    item = Item(
        where=where,
        type="",
        stem=stem,
        choices=[],
        correct=[],
        explanation=explanation,
        name=name,
        order=number,
    )
    if sources:
        files = _files(text_element)
        wanted = unquote(sources[0].removeprefix(PLUGINFILE))
        item.image = ImageRef(posixpath.basename(wanted) or wanted, files.get(wanted))
        item.extra_images = len(sources) - 1
    answers = question.findall("answer")
    if kind == "truefalse":
        item.type = grading.TRUE_FALSE
        item.choices = [dict(c) for c in grading.TRUE_FALSE_CHOICES]
        for answer in answers:
            word = tidy(_text(answer)).lower()
            if _fraction(answer) > 0 and word in ("true", "false"):
                item.correct = ["T" if word == "true" else "F"]
        return item
    texts, fractions, feedback = [], [], []
    for answer in answers:
        text, images = _markup(answer)
        if images:
            reading.problems.append(
                Problem(where, _("选项中有图片：题库的选项只能是文字。"), name, number)
            )
            return None
        texts.append(text)
        fractions.append(_fraction(answer))
        feedback.append(_markup(answer.find("feedback"))[0])
    item.choices = keyed(texts)
    keys = [c["key"] for c in item.choices]
    single = kind == "multichoice" and _text(question, "single").strip().lower() in ("true", "1")
    if single:
        item.type = grading.SINGLE
        item.correct = [k for k, f in zip(keys, fractions, strict=True) if f >= 100]
        if any(0 < f < 100 for f in fractions):
            item.notes.append(_("部分得分的选项按错误选项导入。"))
    else:
        item.correct = [k for k, f in zip(keys, fractions, strict=True) if f > 0]
        item.type = grading.MULTIPLE if len(item.correct) > 1 else grading.SINGLE
    lines = [f"{k}：{f}" for k, f in zip(keys, feedback, strict=True) if f]
    item.explanation = "\n".join(filter(None, [item.explanation, *lines]))
    return item


def _fraction(answer) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


# ---------------------------------------------------------------------------
# Writing


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _text_element(parent, tag: str, text: str, fmt: str = "html"):
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def write(items: list[Item], *, category: str = "") -> bytes:
    """A Moodle XML file of `items`, images embedded as base64; it reads back the same."""
    quiz = ET.Element("quiz")
    if category:
        holder = ET.SubElement(quiz, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(holder, "category"), "text").text = f"$course$/top/{category}"
    for item in items:
        kind = "truefalse" if item.type == grading.TRUE_FALSE else "multichoice"
        question = ET.SubElement(quiz, "question", {"type": kind})
        ET.SubElement(ET.SubElement(question, "name"), "text").text = item.name or item.stem[:40]
        stem = html_of(item.stem)
        if item.image is not None and item.image.data is not None:
            stem += f'<p><img src="{PLUGINFILE}{quote(item.image.name)}" alt=""></p>'
        text = _text_element(question, "questiontext", stem)
        if item.image is not None and item.image.data is not None:
            file = ET.SubElement(
                text, "file", {"name": item.image.name, "path": "/", "encoding": "base64"}
            )
            file.text = base64.b64encode(item.image.data).decode("ascii")
        _text_element(question, "generalfeedback", html_of(item.explanation))
        ET.SubElement(question, "defaultgrade").text = "1"
        if kind == "truefalse":
            for word, key in (("true", "T"), ("false", "F")):
                right = "100" if item.correct == [key] else "0"
                _text_element(question, "answer", word, fmt="moodle_auto_format").set(
                    "fraction", right
                )
            continue
        ET.SubElement(question, "single").text = "true" if item.type == grading.SINGLE else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "ABCD"
        right = [c["key"] for c in item.choices if c["key"] in item.correct]
        for choice in item.choices:
            if item.type == grading.SINGLE:
                fraction = "100" if choice["key"] in right else "0"
            else:
                fraction = _weight(len(right)) if choice["key"] in right else "-100"
            answer = _text_element(question, "answer", html_of(choice["text"]))
            answer.set("fraction", fraction)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)
