"""Chinese word segmentation for Wagtail's database search backend.

Neither SQLite's FTS5 tokenizer nor PostgreSQL's ``simple`` text-search
configuration splits Chinese into words: a run of Han characters is one token,
so "上门服务证" would never match "上门服务证培训". The portal's and the
courses' page models index a copy of their text cut into words here
(``search_segmented``), and the searches cut the query the same way, so both
sides agree on the words; "家庭保洁" is then found by "保洁".
"""

import re
import threading
from collections.abc import Iterable

from django.utils.html import strip_tags

import jieba

# Words of this domain that jieba's general dictionary would split apart.
DOMAIN_WORDS = [
    "上门服务证",
    "家政服务员",
    "家政服务",
    "家政企业",
    "家政卡",
    "家政员",
    "服务指导价",
    "证书查验",
    "信用查询",
    "信用记录",
    "信息追溯",
    "母婴护理",
    "育婴员",
    "养老护理",
    "月嫂",
    "钟点工",
    "住家保姆",
    "一网通办",
    "随申办",
    "准员工制",
    "登记注册",
    "行业备案",
    "实名认证",
]

_lock = threading.Lock()
_ready = False
# Tokens that carry no meaning on their own: punctuation and whitespace.
_NOISE = re.compile(r"^[\s\W_]+$", re.UNICODE)


def _ensure_ready() -> None:
    """Load jieba's dictionary once per process (about a second) and add the domain words."""
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word, freq=200_000)
            _ready = True


def _clean_tokens(tokens: Iterable[str]) -> list[str]:
    return [t.strip().lower() for t in tokens if t.strip() and not _NOISE.match(t)]


def segment(*texts: str) -> str:
    """Index text: every word and its shorter sub-words (jieba's search mode), space separated."""
    _ensure_ready()
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_clean_tokens(jieba.cut_for_search(strip_tags(str(text)))))
    return " ".join(words)


def stream_text(stream) -> list[str]:
    """The searchable text of each block of a StreamField value."""
    return [str(text) for text in stream.stream_block.get_searchable_content(stream)]


def query_terms(query: str) -> list[str]:
    """Words of a query as the user meant them (jieba's precise mode), without duplicates."""
    _ensure_ready()
    seen: dict[str, None] = {}
    for token in _clean_tokens(jieba.cut(query[:200])):
        seen.setdefault(token, None)
    return list(seen)
