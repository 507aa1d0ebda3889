"""GIFT, Moodle's plain-text question format: read into the bank's questions, and write them.

Grammar (as Moodle's ``qformat_gift`` reads it; https://docs.moodle.org/en/GIFT_format)::

    file       := { blank-line | comment | category | question }
    comment    := a line whose first non-space characters are "//"      (ignored)
    category   := "$CATEGORY:" path                  (a block of its own)
    question   := one or more lines, ended by a blank line or the end of the file:
                  [ "::" name "::" ] [ "[" format "]" ] text "{" answers "}" [ text ]
    format     := "html" | "moodle" | "plain" | "markdown"
    answers    := ""                                               -> essay
                | "#" …                                            -> numerical
                | ( "T" | "TRUE" | "F" | "FALSE" ) [ "#" feedback [ "#" feedback ] ] [ general ]
                | { ( "=" | "~" ) [ "%" weight "%" ] text [ "->" text ] [ "#" feedback ] } [ general ]
    general    := "####" general-feedback
    escapes    := "\\" followed by one of  ~ = # { } : \\ n   ("\\n" is a new line)

Text after the closing "}" makes a missing-word question: the blank becomes
"_____" in the stem. How the answers map to the bank:

* ``{=right ~wrong …}``: single choice (several "=" answers are reported:
  a single-choice question has one answer; "~%50%" partial credit is kept
  as a wrong choice, with a note);
* ``{~%50%a ~%50%b ~%-100%c}`` (no "="): weighted multiple answers, a
  ``multiple`` question whose right answers are the positive weights (one
  positive weight alone makes a single-choice question);
* ``{T}`` / ``{FALSE}``: true/false;
* only "=" answers: short answer; "->" pairs: matching; "#": numerical;
  ``{}``: essay; no braces: description. These are parsed and reported as
  types the bank cannot hold. As in Moodle, any "~" makes the question
  multiple choice, so a choice may contain "->".

The general feedback (``####``) becomes the explanation; per-answer
feedback is added to it as "A：…" lines. ``$CATEGORY`` is shown in the
preview (the operator chooses the category). ``[html]`` text is turned into
plain text and its ``<img>`` become the question's image — which a GIFT file
cannot carry, so they are reported missing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .. import grading
from .base import ImageRef, Item, Problem, Reading, decode_text, html_text, keyed, tidy

_SPECIAL = "\\~=#{}:"
_PROTECT = {ch: chr(0xE000 + i) for i, ch in enumerate(_SPECIAL + "n")}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _PROTECT.items()})
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_NAME = re.compile(r"\s*::(.*?)::", re.S)
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
_TRUE_FALSE = re.compile(r"(TRUE|FALSE|T|F)\s*(#.*)?", re.S | re.I)
_ANSWER = re.compile(r"([=~])([^=~]*)")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _PROTECT[m.group(1)], text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _blocks(text: str):
    """(first line number, block text, comments just above it) of each question or category."""
    lines: list[str] = []
    comments: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(_restore(stripped[2:]).strip())
            continue
        if not stripped:
            if lines:
                yield start, "\n".join(lines), comments
                lines, comments = [], []
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, "\n".join(lines), comments


def read(data: bytes) -> Reading:
    """Every question of a GIFT file, and what cannot be imported (see the module's grammar)."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reading = Reading(encoding=encoding)
    category = ""
    for line, block, comments in _blocks(_protect(text)):
        if block.lstrip().startswith("$CATEGORY:"):
            category = tidy(_restore(block.lstrip()[len("$CATEGORY:") :].split("\n")[0]))
            continue
        before = len(reading.items)
        _question(reading, block, line=line, category=category)
        remarks = [c for c in comments if c.strip("-=/ ")]
        if remarks and len(reading.items) > before:
            reading.items[-1].notes.insert(
                0, _("文件中的注释：%(text)s") % {"text": " / ".join(remarks)}
            )
    return reading


def _plain(fragment: str, fmt: str) -> tuple[str, list[str]]:
    text = _restore(fragment)
    if fmt == "html":
        return html_text(text)
    return tidy(text), []


def _feedback(fragment: str) -> str:
    """Feedback as plain text, read in the format it names at its start ("[html]…")."""
    own = _FORMAT.match(fragment)
    return _plain(fragment[own.end() :], own.group(1))[0] if own else _plain(fragment, "")[0]


def _question(reading: Reading, block: str, *, line: int, category: str) -> None:
    where = _("第 %(line)s 行") % {"line": line}
    name = ""
    found = _NAME.match(block)
    if found:
        name = tidy(_restore(found.group(1)))
        block = block[found.end() :]
    fmt = ""
    found = _FORMAT.match(block)
    if found:
        fmt = found.group(1)
        block = block[found.end() :]
    start = block.find("{")
    if start < 0:
        reading.unsupported(where, _("说明文字（没有答案部分）"), name=name, order=line)
        return
    end = block.find("}", start)
    if end < 0:
        reading.problems.append(Problem(where, _("缺少答案部分的右花括号“}”。"), name, line))
        return
    before, answers, after = block[:start], block[start + 1 : end].strip(), block[end + 1 :]
    stem = before.rstrip()
    if after.strip():
        stem += " _____" + (" " if after[:1].isspace() else "") + after.strip()
    general = ""
    if "####" in answers:
        answers, general = answers.split("####", 1)
        answers = answers.strip()
    explanation = _feedback(general)
    stem_text, images = _plain(stem, fmt)
    item = Item(
        where=where,
        type="",
        stem=stem_text,
        choices=[],
        correct=[],
        explanation=explanation,
        name=name,
        source_category=category,
        order=line,
    )
    if images:
        item.image = ImageRef(images[0].rsplit("/", 1)[-1])
        item.extra_images = len(images) - 1

    if not answers:
        reading.unsupported(where, _("问答题（作文题）"), name=name, order=line)
        return
    if answers.startswith("#"):
        reading.unsupported(where, _("数值题"), name=name, order=line)
        return
    true_false = _TRUE_FALSE.fullmatch(answers)
    if true_false:
        item.type = grading.TRUE_FALSE
        item.choices = [dict(c) for c in grading.TRUE_FALSE_CHOICES]
        item.correct = ["T" if true_false.group(1).upper().startswith("T") else "F"]
        feedback = [f for f in (true_false.group(2) or "").split("#") if f.strip()]
        labels = [_("答错时"), _("答对时")]
        extra = [f"{labels[i]}：{_feedback(f)}" for i, f in enumerate(feedback[:2])]
        item.explanation = "\n".join(filter(None, [item.explanation, *extra]))
        reading.items.append(item)
        return
    if answers[0] not in "=~":
        reading.problems.append(
            Problem(where, _("答案部分无法识别：应以 = 或 ~ 开头。"), name, line)
        )
        return
    parsed = _ANSWER.findall(answers)
    # As Moodle decides: a "~" makes multiple choice, whatever else the answers hold.
    if all(mark == "=" for mark, _body in parsed):
        if any("->" in body for _mark, body in parsed):
            reading.unsupported(where, _("匹配题"), name=name, order=line)
        else:
            reading.unsupported(where, _("填空题（简答题）"), name=name, order=line)
        return
    _choices(item, parsed, fmt)
    reading.items.append(item)


def _choices(item: Item, parsed: list[tuple[str, str]], fmt: str) -> None:
    texts, weights, marks, feedback = [], [], [], []
    for mark, body in parsed:
        weight = 100.0 if mark == "=" else 0.0
        found = _WEIGHT.match(body)
        if found:
            weight = float(found.group(1))
            body = body[found.end() :]
        text, _sep, comment = body.partition("#")
        own = _FORMAT.match(text)
        texts.append(_plain(text[own.end() :], own.group(1)) if own else _plain(text, fmt))
        texts[-1] = texts[-1][0]
        weights.append(weight)
        marks.append(mark)
        feedback.append(_feedback(comment))
    item.choices = keyed(texts)
    keys = [c["key"] for c in item.choices]
    if "=" in marks:
        item.type = grading.SINGLE
        item.correct = [k for k, m in zip(keys, marks, strict=True) if m == "="]
        if any(w > 0 for w, m in zip(weights, marks, strict=True) if m == "~"):
            item.notes.append(_("部分得分的选项（如 %50%）按错误选项导入。"))
    else:
        item.correct = [k for k, w in zip(keys, weights, strict=True) if w > 0]
        item.type = grading.MULTIPLE if len(item.correct) > 1 else grading.SINGLE
        if item.type == grading.MULTIPLE:
            item.notes.append(_("按权重为正的选项作为正确答案；得分按考试的多选题计分规则。"))
    lines = [f"{k}：{f}" for k, f in zip(keys, feedback, strict=True) if f]
    item.explanation = "\n".join(filter(None, [item.explanation, *lines]))


# ---------------------------------------------------------------------------
# Writing


def _escape(text: str) -> str:
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    return out.replace("\n", "\\n")


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def write(items: list[Item], *, category: str = "") -> bytes:
    """A GIFT file (UTF-8) of `items`; it reads back as the same questions.

    Images cannot travel in GIFT: a question's image is named in a comment
    above it, and Moodle XML or QTI carry the image itself.
    """
    out: list[str] = []
    if category:
        out += [f"$CATEGORY: {_escape(category)}", ""]
    for item in items:
        if item.image is not None:
            out.append(f"// 图片 {item.image.name.replace(chr(10), ' ')} 未随 GIFT 导出")
        stem = _escape(item.stem)
        if _FORMAT.match(stem) or stem.startswith("$CATEGORY"):
            stem = "[plain]" + stem
        # Always a name (even empty): the stem then never starts a line, where "//" would
        # make it a comment.
        head = f"::{_escape(item.name)}::{stem}"
        general = f"####{_escape(item.explanation)}" if item.explanation else ""
        if item.type == grading.TRUE_FALSE:
            word = "TRUE" if item.correct == ["T"] else "FALSE"
            out += [f"{head} {{{word}{general}}}", ""]
            continue
        out.append(head + " {")
        right = [c for c in item.choices if c["key"] in item.correct]
        for choice in item.choices:
            text = _escape(choice["text"])
            if item.type == grading.MULTIPLE:
                weight = _weight(len(right)) if choice in right else "-100"
                out.append(f"    ~%{weight}%{text}")
            elif text.startswith("%"):
                # An explicit weight, so the text's own "%…%" is not read as one.
                out.append(f"    {'=%100%' if choice in right else '~%0%'}{text}")
            else:
                out.append(f"    {'=' if choice in right else '~'}{text}")
        if general:
            out.append(f"    {general}")
        out += ["}", ""]
    return "\n".join(out).encode("utf-8")
