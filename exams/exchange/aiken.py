"""Aiken, the one-question-per-paragraph text format Moodle reads: import only.

Grammar (https://docs.moodle.org/en/Aiken_format), read leniently, line by line::

    file      := { blank-line | question }
    question  := stem-line { stem-line } option option { option } answer-line
    option    := letter sep text            letter A–Z; sep one of  .  )  、  ：  :
    answer    := ( "ANSWER" | "答案" ) [ ":" ] letters      letters: "B", "AC", "A,C", "A、C"

Messy files as they come from word processors are accepted: Windows line
endings, a UTF-8 byte-order mark, GBK (GB 18030) encoding (see
:func:`exams.exchange.base.decode_text`), full-width letters and punctuation
in the markers ("Ａ．", "（A）", "答案：Ｂ"), and no blank line between
questions (an answer line ends its question). Only the markers are made
half-width: the texts are kept as written.

Aiken has single-choice questions; an answer line with several letters
(not in Moodle's Aiken, common in Chinese banks) makes a multiple-choice
question. A question whose stem is followed by no options, or whose
options are followed by no answer line, is reported with its line number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .. import grading
from .base import Item, Problem, Reading, decode_text, keyed, marker, tidy

_OPTION = re.compile(r"[(（]?\s*([A-Za-zＡ-Ｚａ-ｚ])\s*[.)、:．）：。]\s*(.*)")
_ANSWER = re.compile(r"\s*(?:ANSWER|答案)\s*:?\s*([A-Za-z][A-Za-z,、\s]*)\s*$", re.I)
_ANSWER_START = re.compile(r"\s*(?:ANSWER|答案)\b", re.I)


def read(data: bytes) -> Reading:
    """Every question of an Aiken file, and what cannot be imported (see the grammar)."""
    text, encoding = decode_text(data)
    reading = Reading(encoding=encoding)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stem: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    skipping = False  # after a broken question: up to its answer line or a blank line

    def where() -> str:
        return _("第 %(line)s 行") % {"line": start}

    def flush_unfinished(reason: str) -> None:
        reading.problems.append(Problem(where(), reason, order=start))

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if skipping:
            skipping = bool(line) and not _ANSWER_START.match(marker(line))
            continue
        if not line:
            if options:
                flush_unfinished(_("选项后面缺少答案行（如“ANSWER: B”）。"))
                stem, options = [], []
            continue
        half = marker(line)
        if not stem and not options:
            start = number
            stem.append(line)
            continue
        answer = _ANSWER.match(half)
        if answer and options:
            letters = [ch.upper() for ch in answer.group(1) if ch.isalpha()]
            _finish(reading, where(), start, stem, options, letters)
            stem, options = [], []
            continue
        if _ANSWER_START.match(half):
            reason = (
                _("答案行“%(line)s”无法识别，应为“ANSWER: B”。") % {"line": line}
                if options
                else _("题干后面没有选项。")
            )
            flush_unfinished(reason)
            stem, options = [], []
            continue
        option = _OPTION.fullmatch(line)
        expected = chr(ord("A") + len(options))
        if option and marker(option.group(1)).upper() == expected and option.group(2).strip():
            options.append((expected, option.group(2).strip()))
            continue
        if options:
            # A line after the options that is neither an option nor the answer.
            flush_unfinished(
                _("第 %(line)s 行“%(text)s”既不是下一个选项（%(key)s），也不是答案行。")
                % {"line": number, "text": line[:30], "key": expected}
            )
            stem, options, skipping = [], [], True
            continue
        stem.append(line)
    if stem or options:
        flush_unfinished(
            _("选项后面缺少答案行（如“ANSWER: B”）。") if options else _("题干后面没有选项。")
        )
    return reading


def _finish(reading, where, start, stem, options, letters) -> None:
    texts = [text for _key, text in options]
    item = Item(
        where=where,
        type=grading.MULTIPLE if len(letters) > 1 else grading.SINGLE,
        stem=tidy("\n".join(stem)),
        choices=keyed(texts),
        correct=letters,
        order=start,
    )
    reading.items.append(item)
