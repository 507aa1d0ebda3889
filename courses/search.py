"""Chinese word segmentation for Wagtail search (jieba).

Neither SQLite's FTS nor PostgreSQL's ``simple`` configuration splits Chinese
into words, so the indexed text and the query are both segmented with jieba
and joined with spaces; "家庭保洁" is then found by "保洁".
"""

import re

import jieba

_SPACES = re.compile(r"\s+")


def segment(text: str) -> str:
    """`text` as space-separated words, in jieba's search mode (overlapping words kept)."""
    text = _SPACES.sub(" ", text or "").strip()
    if not text:
        return ""
    words = (w.strip() for w in jieba.cut_for_search(text))
    return " ".join(w for w in words if w)
