"""Fonts for the PDFs the platform draws (certificates, cards, reports): no character lost.

A CJK face alone is not enough: Debian's ``DroidSansFallbackFull.ttf`` has
no glyphs for digits, Latin letters or "—", so a certificate drawn with it
alone shows a blank number and blank dates, silently. Text is therefore
drawn with a :class:`FontChain`:

1. the first installed CJK TrueType face (``CJK_FONT_CANDIDATES``, or the
   path a caller names) — one that covers :data:`PROBE` is preferred over
   one that does not;
2. the Latin face reportlab ships (Bitstream Vera, embedded), for the
   characters the CJK face lacks;
3. reportlab's built-in CID font ``STSong-Light`` (not embedded: viewers
   substitute a Song face) for anything neither has, and as the only face
   when no CJK file is installed.

Each piece of text is cut into runs, each run drawn in the first face that
has glyphs for it. reportlab cannot embed CFF-outline OpenType fonts (Noto
Sans CJK), so those are not candidates.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: TrueType-outline CJK fonts, best first: (path, index inside a .ttc).
CJK_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
#: Shipped inside the reportlab package, so it is present wherever reportlab is.
LATIN_FONT_PATH = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")
LATIN_FONT_NAME = "PdfLatin-Vera"
CID_FONT = "STSong-Light"

#: What every document draws besides Chinese: numbers, dates, card numbers, codes.
PROBE = (
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-—:/.()%+"
    "年月日证书编号有效期至家政上海市"
)


@dataclass(frozen=True)
class FontChain:
    """Registered reportlab font names, best first; the last one takes any character."""

    names: tuple[str, ...]
    #: Per name, the code points it has glyphs for; None: take everything (the last).
    coverage: tuple[frozenset | None, ...]
    #: What drew the text, for the record: the faces' names joined with "+".
    signature: str

    @property
    def primary(self) -> str:
        return self.names[0]

    def font_for(self, char: str) -> str:
        code = ord(char)
        for name, covered in zip(self.names, self.coverage, strict=True):
            if covered is None or code in covered:
                return name
        return self.names[-1]

    def runs(self, text: str) -> list[tuple[str, str]]:
        """`text` cut into (font name, piece) runs, each piece drawable in its font."""
        runs: list[tuple[str, str]] = []
        for char in text:
            # A space draws nothing: keep it in the run it sits in.
            name = runs[-1][0] if runs and char == " " else self.font_for(char)
            if runs and runs[-1][0] == name:
                runs[-1] = (name, runs[-1][1] + char)
            else:
                runs.append((name, char))
        return runs

    def width(self, text: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in self.runs(text))

    def draw(self, canvas, x: float, y: float, text: str, size: float, align: str = "left"):
        """Draw `text` at size `size`, left-aligned at x, centred on x or right-aligned to x."""
        if align == "centre":
            x -= self.width(text, size) / 2
        elif align == "right":
            x -= self.width(text, size)
        for name, piece in self.runs(text):
            canvas.setFont(name, size)
            canvas.drawString(x, y, piece)
            x += pdfmetrics.stringWidth(piece, name, size)

    def markup(self, text: str) -> str:
        """`text` as platypus Paragraph markup, runs outside the primary face in <font> tags."""
        parts = []
        for name, piece in self.runs(str(text)):
            if name == self.primary:
                parts.append(escape(piece))
            else:
                parts.append(f'<font face="{name}">{escape(piece)}</font>')
        return "".join(parts)


def covers(font: TTFont, text: str = PROBE) -> bool:
    """Whether the TrueType `font` has a glyph for every character of `text`."""
    glyphs = font.face.charToGlyph
    return all(ord(char) in glyphs for char in text if not char.isspace())


def _load(path: str, index: int, name: str, **kwargs) -> TTFont | None:
    try:
        return TTFont(name, path, subfontIndex=index, **kwargs)
    except (TTFError, OSError):
        return None  # e.g. CFF outlines, or a damaged file


@lru_cache(maxsize=8)
def _cjk_font_file(explicit: str | None) -> tuple[str, int] | None:
    """The CJK font file to use: `explicit` if it exists, else the best candidate found."""
    if explicit:
        return (explicit, 0) if os.path.exists(explicit) else None
    first = None
    for path, index in CJK_FONT_CANDIDATES:
        if not os.path.exists(path):
            continue
        font = _load(path, index, "PdfProbe")
        if font is None:
            continue
        if covers(font):
            return path, index
        first = first or (path, index)
    return first


def cjk_font_file(explicit: str | None = None) -> tuple[str, int] | None:
    """(path, subfont index) of the CJK face documents use here, None without one."""
    return _cjk_font_file(explicit or None)


@lru_cache(maxsize=1)
def _fallbacks() -> tuple[tuple[str, ...], tuple[frozenset | None, ...], tuple[str, ...]]:
    """Register the Latin face and the CID font once; their names, coverage and face names."""
    names, coverage, faces = [], [], []
    latin = _load(LATIN_FONT_PATH, 0, LATIN_FONT_NAME)
    if latin is not None:
        pdfmetrics.registerFont(latin)
        names.append(LATIN_FONT_NAME)
        coverage.append(frozenset(latin.face.charToGlyph))
        faces.append(latin.face.name.decode())
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    names.append(CID_FONT)
    coverage.append(None)
    faces.append(CID_FONT)
    return tuple(names), tuple(coverage), tuple(faces)


def chain_for(primary: TTFont | None) -> FontChain:
    """The chain starting with the registered TrueType `primary` (None: the fallbacks alone).

    The signature names only the faces a document can need: the primary alone
    when it covers :data:`PROBE`.
    """
    names, coverage, faces = _fallbacks()
    if primary is None:
        return FontChain(names[-1:], (None,), CID_FONT)
    primary_name = primary.face.name.decode()
    signature = primary_name if covers(primary) else "+".join([primary_name, *faces[:-1]])
    return FontChain(
        (primary.fontName, *names),
        (frozenset(primary.face.charToGlyph), *coverage),
        signature,
    )


@lru_cache(maxsize=4)
def document_chain(font_path: str | None = None) -> FontChain:
    """A chain for documents without special subsetting needs (reports, lists)."""
    found = cjk_font_file(font_path)
    primary = None
    if found:
        path, index = found
        tag = hashlib.sha1(f"{path}:{index}".encode(), usedforsecurity=False).hexdigest()[:8]
        primary = _load(path, index, f"PdfCJK-{tag}")
        if primary is not None:
            pdfmetrics.registerFont(primary)
    return chain_for(primary)
