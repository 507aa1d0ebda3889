"""What makes a question valid for the bank: one home for the rules every way in shares.

The admin's question form, the spreadsheet import (``xlsx``) and the exchange
formats (``exchange``: GIFT, Moodle XML, Aiken, QTI 2.1) all check a question
here, so a rule such as "a multiple-choice question has at least two right
answers" is written once. Pure functions on plain values; no ORM access.
"""

import re

from django.utils.translation import gettext as _

from . import grading

#: Keys of the choices, in order: the bank holds at most six (A–F).
CHOICE_KEYS = "ABCDEF"
MIN_CHOICES = 2

#: Which part of a question a problem is about.
FIELD_CHOICES = "choices"
FIELD_ANSWER = "answer"

_SPACES = re.compile(r"\s+")


def stem_key(stem: str) -> str:
    """The stem as compared for duplicates: runs of white space count as one space."""
    return _SPACES.sub(" ", stem or "").strip()


def choice_problems(qtype: str, choices: list[dict], correct: list[str]) -> list[tuple[str, str]]:
    """[(field, message)…] of everything wrong with `choices` and `correct` keys for `qtype`.

    True/false questions have the two fixed choices and one key, T or F;
    single and multiple choice have two to six choices keyed A, B, … in
    order; single has exactly one right key, multiple at least two; every
    key is one of the choices and none repeats.
    """
    problems: list[tuple[str, str]] = []
    if qtype == grading.TRUE_FALSE:
        if len(correct) != 1 or correct[0] not in ("T", "F"):
            problems.append((FIELD_ANSWER, _("判断题的答案请填“正确”或“错误”。")))
        return problems
    if len(choices) < MIN_CHOICES:
        problems.append((FIELD_CHOICES, _("至少要有两个选项。")))
    elif len(choices) > len(CHOICE_KEYS):
        problems.append(
            (FIELD_CHOICES, _("选项最多 %(max)s 个（A～F）。") % {"max": len(CHOICE_KEYS)})
        )
    keys = {c["key"] for c in choices}
    if not correct:
        problems.append((FIELD_ANSWER, _("没有正确答案。")))
    elif any(key not in keys for key in correct):
        problems.append(
            (
                FIELD_ANSWER,
                _("答案“%(answer)s”不在已填写的选项中。") % {"answer": "".join(correct)},
            )
        )
    elif len(set(correct)) != len(correct):
        problems.append((FIELD_ANSWER, _("答案中有重复的字母。")))
    elif qtype == grading.SINGLE and len(correct) != 1:
        problems.append((FIELD_ANSWER, _("单选题只能有一个答案。")))
    elif qtype == grading.MULTIPLE and len(correct) < 2:
        problems.append((FIELD_ANSWER, _("多选题至少要有两个正确答案；只有一个答案请改为单选题。")))
    return problems
