"""What every exchange format shares: the question as read, problems, text and images.

A format module reads bytes into a :class:`Reading` (questions found, and
problems that stop a question from being read at all, such as an unsupported
type) and writes :class:`Item` values back out. :func:`review` then applies
the bank's rules to what was read — :mod:`exams.question_rules`, duplicates
within the file and against the category, images — so each format only
describes its own grammar. No ORM access here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from PIL import Image, UnidentifiedImageError

from .. import grading, question_rules

#: The bank's words for its types, in the problems and the preview.
TYPE_LABELS = {
    grading.SINGLE: gettext_lazy("单选题"),
    grading.MULTIPLE: gettext_lazy("多选题"),
    grading.TRUE_FALSE: gettext_lazy("判断题"),
}
#: Image files the bank keeps (Wagtail's image library accepts these).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class ExchangeError(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class ImageRef:
    """An image a question shows: its name in the file, and its bytes (None: not in the file)."""

    name: str
    data: bytes | None = None


@dataclass
class Item:
    """One question as read from (or written to) a file, in the bank's terms."""

    where: str  # 第 12 行 / 第 3 题 / an item identifier: how the operator finds it in the file
    type: str
    stem: str
    choices: list[dict]
    correct: list[str]
    explanation: str = ""
    image: ImageRef | None = None
    name: str = ""  # the question's name or title in the file, if it has one
    source_category: str = ""  # the file's own category ($CATEGORY, Moodle's category)
    notes: list[str] = field(default_factory=list)  # kept, but worth a look (not a problem)
    extra_images: int = 0  # images beyond the first in the stem
    order: int = 0  # position in the file (a line or item number), to list problems in file order

    def as_preview(self) -> dict:
        """The question as the preview page shows it (JSON-safe, without image bytes)."""
        return {
            "where": self.where,
            "name": self.name,
            "type": self.type,
            "type_label": str(TYPE_LABELS.get(self.type, self.type)),
            "stem": self.stem,
            "choices": [{**c, "correct": c["key"] in self.correct} for c in self.choices],
            "explanation": self.explanation,
            "image": self.image.name if self.image else "",
            "source_category": self.source_category,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Problem:
    """Why one question (or the file) cannot be imported."""

    where: str
    message: str
    name: str = ""
    order: int = 0

    def as_dict(self) -> dict:
        return {"where": self.where, "name": self.name, "message": self.message}


@dataclass
class Reading:
    """What a format module read from one file."""

    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""

    def unsupported(self, where: str, kind: str, *, name: str = "", order: int = 0) -> None:
        """Report a question of a type the bank cannot hold."""
        message = _("%(kind)s：题库只有单选题、多选题和判断题，这道题不能导入。") % {"kind": kind}
        self.problems.append(Problem(where, message, name, order))


# ---------------------------------------------------------------------------
# Text


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK.

    GB 18030 (a superset of GBK and GB 2312) is tried only when the bytes are
    not UTF-8, and kept only when the result reads as Chinese text: no control
    characters, and most of its non-ASCII characters CJK ideographs or CJK
    punctuation. Anything else is refused with a message saying what to do.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ExchangeError(_("文件编码无法识别，请另存为 UTF-8 编码后重新上传。")) from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ExchangeError(
            _("文件编码无法识别（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 编码后重新上传。")
        ) from exc
    if not _reads_as_chinese(text):
        raise ExchangeError(
            _("文件不是 UTF-8 编码，按 GBK 读出来也不像中文，请另存为 UTF-8 编码后重新上传。")
        )
    return text, "gb18030"


def _reads_as_chinese(text: str) -> bool:
    wide = 0
    cjk = 0
    for ch in text:
        if ch in "\r\n\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Co", "Cs", "Cn"):
            return False
        if ord(ch) > 0x7F:
            wide += 1
            if (
                "\u4e00" <= ch <= "\u9fff"
                or "\u3000" <= ch <= "\u303f"
                or "\uff00" <= ch <= "\uffef"
            ):
                cjk += 1
    return wide == 0 or cjk * 10 >= wide * 8


def tidy(text: str) -> str:
    """Text as the bank keeps it: lines without surrounding or repeated spaces, no blank lines."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def marker(text: str) -> str:
    """`text` with full-width letters, digits and punctuation made half-width (Ａ．→ A.).

    Used only on the markers a format looks for (option letters, answer
    lines), never on the question's own text.
    """
    return unicodedata.normalize("NFKC", text)


def keyed(texts: list[str]) -> list[dict]:
    """Choices keyed A, B, C … in the order given."""
    return [
        {"key": question_rules.CHOICE_KEYS[i] if i < 6 else chr(ord("A") + i), "text": t}
        for i, t in enumerate(texts)
    ]


# ---------------------------------------------------------------------------
# HTML in question text


_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}


class _TextAndImages(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "img":
            src = dict(attrs).get("src") or ""
            if src:
                self.images.append(unescape(src))

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(" ".join(data.split("\n")))


def html_text(markup: str) -> tuple[str, list[str]]:
    """(plain text, image sources) of an HTML fragment; paragraphs and <br> become new lines."""
    parser = _TextAndImages()
    parser.feed(markup or "")
    parser.close()
    return tidy("".join(parser.parts)), parser.images


def html_of(text: str) -> str:
    """Plain text as an HTML fragment: escaped, new lines as <br>."""
    return "<br>".join(escape(line, quote=False) for line in text.split("\n"))


# ---------------------------------------------------------------------------
# Review: the bank's rules over what was read


def image_problem(image: ImageRef) -> str | None:
    """Why `image` cannot be stored, or None."""
    if image.data is None:
        return _("引用的图片“%(name)s”不在文件中。") % {"name": image.name}
    if len(image.data) > MAX_IMAGE_BYTES:
        return _("图片“%(name)s”超过 5 MB。") % {"name": image.name}
    try:
        with Image.open(BytesIO(image.data)) as picture:
            picture.verify()
            kind = (picture.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return _("图片“%(name)s”无法识别。") % {"name": image.name}
    if kind not in ("png", "jpeg", "gif", "webp"):
        return _("图片“%(name)s”的格式题库不支持（可用 PNG、JPEG、GIF、WebP）。") % {
            "name": image.name
        }
    return None


def review(
    reading: Reading, *, existing_stems: set[str], progress=None, chunk: int = 200
) -> tuple[list[Item], list[Problem]]:
    """(importable items, every problem) of `reading`, in file order.

    An item is importable when the bank's rules pass, its stem is not empty,
    it repeats no earlier question of the file and no question of the
    category (`existing_stems`, as :func:`exams.question_rules.stem_key`), and
    its image is in the file and readable. `progress(done)` is called every
    `chunk` items.
    """
    problems = list(reading.problems)
    good: list[Item] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(reading.items, start=1):
        mine: list[str] = []
        key = question_rules.stem_key(item.stem)
        if not key:
            mine.append(_("题干是空的。"))
        elif key in existing_stems:
            mine.append(_("分类中已有相同题干的试题。"))
        elif key in seen:
            mine.append(_("与%(where)s的题干相同（文件中重复）。") % {"where": seen[key]})
        else:
            seen[key] = item.where
        for choice in item.choices:
            if not choice["text"]:
                mine.append(_("选项 %(key)s 是空的。") % {"key": choice["key"]})
        mine += [
            m for _f, m in question_rules.choice_problems(item.type, item.choices, item.correct)
        ]
        if item.extra_images:
            mine.append(_("题干中有多张图片，题库每题只能有一张。"))
        if item.image is not None:
            trouble = image_problem(item.image)
            if trouble:
                mine.append(trouble)
        problems += [Problem(item.where, m, item.name, item.order) for m in mine]
        if not mine:
            good.append(item)
        if progress and index % chunk == 0:
            progress(index)
    problems.sort(key=lambda p: p.order)
    return good, problems
