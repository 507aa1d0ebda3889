"""Certificate PDFs (reportlab): plain data in, bytes out — no ORM, no storage.

Two layouts share one :class:`CertificateContent`: an A4 landscape
certificate to print and a wallet-size card (ISO/IEC 7810 ID-1, 85.6 × 54 mm)
to keep on a phone or print on card stock. Both carry the masked holder name,
the photo, the number, the dates, the issuer's seal and a vector QR code that
points at the public verification page.

Fonts: a TrueType CJK font is embedded (subsetted) so every viewer shows the
same glyphs, chosen and backed up as ``lms.pdffonts`` describes: the best
installed candidate (or the path given by the caller), then a Latin face for
the characters it lacks (Droid Sans Fallback has no digits), then
reportlab's built-in CID font ``STSong-Light``. Debian's
``fonts-wqy-microhei`` covers everything alone and is the reference.
:func:`font_signature` names the faces, stored with each rendered
certificate so that PDFs from a deficient font can be found and redrawn.

Speed (the bulk path renders thousands): fonts are parsed once per process;
the font subset of the fixed wording is built once per template (labels and
wording use one font object, names another, so the fixed subset stays the
same from certificate to certificate); the seal image is decoded and
compressed once; JPEG photos are embedded as they are, without decoding.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext as _

from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfutils import readJPEGInfo
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas

from lms import pdffonts
from lms.pdffonts import FontChain

from .qr import QUIET_ZONE, qr_matrix, qr_runs

# Binary streams instead of ASCII85: a third smaller and much faster to write
# (ASCII85 only matters for 7-bit mail transports, which PDFs no longer meet).
rl_config.useA85 = 0

CARD_SIZE = (85.6 * mm, 53.98 * mm)
PHOTO_MAX_PIXELS = (600, 800)  # 3:4; the registry stores 600 × 800, embedded as it is

RED = HexColor("#9b1c1c")
INK = HexColor("#1f2933")
MUTED = HexColor("#5f6b7a")
GOLD = HexColor("#b08d3c")
PAPER = HexColor("#fffdf7")
PHOTO_BG = Color(0.93, 0.94, 0.96)


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate; names and numbers arrive already masked."""

    number: str
    type_name: str
    title: str
    wording: str
    issuer: str
    holder_name: str
    issued_on: date
    expires_on: date
    verify_url: str
    card_number: str = ""
    agency_name: str = ""
    revision: int = 1
    photo: bytes | None = field(default=None, repr=False)
    seal: bytes | None = field(default=None, repr=False)


# ── Fonts ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Fonts:
    fixed: FontChain  # labels, wording, numbers, dates: the same subset on every certificate
    variable: FontChain  # names: a small subset of their own
    embedded: bool


class _MemoFace(TTFontFace):
    """A font face that builds and compresses each distinct glyph subset once per process.

    Installed on a parsed :class:`TTFont` by swapping the face's class, so the
    font file is read only once.
    """

    _memo: dict

    def makeSubset(self, subset):  # noqa: N802 - reportlab's name
        key = tuple(subset)
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            if len(memo) > 64:
                memo.clear()
            raw = super().makeSubset(subset)
            memo[key] = (raw, zlib.compress(raw))
        return memo[key][0]

    def addSubsetObjects(self, doc, fontname, subset):  # noqa: N802 - reportlab's name
        descriptor = super().addSubsetObjects(doc, fontname, subset)
        if doc.compression:
            # Hand over the compressed bytes made once; a stream whose
            # dictionary names its filter is written as it is.
            stream = doc.idToObject[f"fontFile:{self.filename}({fontname})"]
            stream.content = self._memo[tuple(subset)][1]
            stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        return descriptor


@lru_cache(maxsize=4)
def _fonts(font_path: str | None = None) -> _Fonts:
    """Register the certificate fonts once per process (parsing a CJK font takes ~0.1 s)."""
    found = pdffonts.cjk_font_file(font_path)
    if found:
        path, index = found
        tag = hashlib.sha1(f"{path}:{index}".encode(), usedforsecurity=False).hexdigest()[:8]
        try:
            fixed = TTFont(f"CertFixed-{tag}", path, subfontIndex=index)
            variable = TTFont(f"CertVar-{tag}", path, subfontIndex=index, asciiReadable=False)
        except TTFError:
            pass  # e.g. CFF outlines; fall through to the CID font
        else:
            fixed.face.__class__ = _MemoFace
            # reportlab shares one font object per face name; a name of its
            # own keeps the names' glyphs out of the fixed subset.
            variable.face.name += b"-Names"
            pdfmetrics.registerFont(fixed)
            pdfmetrics.registerFont(variable)
            return _Fonts(pdffonts.chain_for(fixed), pdffonts.chain_for(variable), embedded=True)
    chain = pdffonts.chain_for(None)
    return _Fonts(chain, chain, embedded=False)


def font_is_embedded(font_path: str | None = None) -> bool:
    """Whether certificates embed a TrueType CJK font here (False: the CID fallback)."""
    return _fonts(font_path).embedded


def font_signature(font_path: str | None = None) -> str:
    """The faces certificates are drawn with here, e.g. ``WenQuanYiMicroHei``.

    A CJK face without Latin glyphs is followed by the Latin face that draws
    them (``DroidSansFallback+BitstreamVeraSans-Roman``).
    """
    return _fonts(font_path).fixed.signature


#: Candidate faces without Latin glyphs: a PDF drawn with one of these alone
#: has blank numbers and dates (certificates rendered before fonts were chained).
LATINLESS_FACES = frozenset({"DroidSansFallback"})

_BASE_FONT = re.compile(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/<>\[\]()]+)")


def embedded_faces(data: bytes) -> set[str]:
    """The font faces a PDF names, without subset tags or this module's suffixes."""
    faces = set()
    for raw in _BASE_FONT.findall(data):
        name = raw.decode("latin-1")
        name = re.sub(r"-Names(-\d+)?$|-\d+$", "", name)
        faces.add(name)
    return faces


def faces_are_deficient(faces) -> bool:
    """Whether text drawn with `faces` lost its digits and Latin letters.

    True when every face named lacks Latin glyphs: no Latin face and no CID
    font stood in for them.
    """
    faces = {face for face in faces if face}
    return bool(faces) and faces <= LATINLESS_FACES


# ── Images ───────────────────────────────────────────────────────────────────


def prepare_photo(data: bytes) -> bytes:
    """A baseline JPEG of at most PHOTO_MAX_PIXELS, for embedding as is.

    Small JPEGs are returned unchanged; anything else is decoded (at reduced
    scale where the format allows) and re-encoded once.
    """
    from PIL import Image, ImageOps

    try:
        width, height = readJPEGInfo(io.BytesIO(data))[:2]
    except Exception:  # noqa: BLE001 - not a JPEG reportlab can pass through
        width = height = None
    if width and width <= PHOTO_MAX_PIXELS[0] and height <= PHOTO_MAX_PIXELS[1]:
        return data
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", PHOTO_MAX_PIXELS)
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(PHOTO_MAX_PIXELS)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)
        return out.getvalue()


def _draw_image_fit(canvas: Canvas, image: bytes, x, y, box_w, box_h, *, mask=None) -> None:
    """Draw `image` (JPEG or PNG bytes) inside the box, centred, keeping its aspect ratio.

    reportlab's public ``drawImage``: a JPEG is embedded as it is (DCTDecode),
    and an image drawn twice in one document is stored once.
    """
    canvas.drawImage(
        ImageReader(io.BytesIO(image)),
        x,
        y,
        box_w,
        box_h,
        mask=mask,
        preserveAspectRatio=True,
        anchor="c",
    )


def _draw_photo(canvas, content: CertificateContent, x, y, w, h, fonts: _Fonts) -> None:
    canvas.setFillColor(PHOTO_BG)
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, w, h, stroke=1, fill=1)
    if content.photo:
        _draw_image_fit(canvas, prepare_photo(content.photo), x, y, w, h)
    else:
        canvas.setFillColor(MUTED)
        fonts.fixed.draw(canvas, x + w / 2, y + h / 2, _("照片"), min(w, h) / 8, "centre")


#: The seal's largest side in pixels: 104 pt (its size on the certificate) at 200 dpi.
SEAL_MAX_PIXELS = 290


@lru_cache(maxsize=8)
def prepare_seal(data: bytes) -> bytes:
    """The seal as a PNG of at most SEAL_MAX_PIXELS a side, made once per process: each
    PDF embeds (and compresses) its pixels again, so it carries no more than print needs."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= SEAL_MAX_PIXELS:
            return data
        image = image.convert("RGBA")
        image.thumbnail((SEAL_MAX_PIXELS, SEAL_MAX_PIXELS))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


def _draw_seal(canvas, seal: bytes | None, cx, cy, size) -> None:
    if seal:
        image = prepare_seal(seal)
        _draw_image_fit(canvas, image, cx - size / 2, cy - size / 2, size, size, mask="auto")


def _draw_qr(canvas, url: str, x, y, size) -> None:
    """The QR code as one filled vector path, with a white quiet zone, in the box (x, y, size).

    The path is written in module units (one unit per module, y downwards)
    under a scaling transform, so each run is a short integer ``re`` operator.
    """
    matrix = qr_matrix(url)
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.saveState()
    canvas.translate(x + QUIET_ZONE * unit, y + size - QUIET_ZONE * unit)
    canvas.scale(unit, -unit)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, col, length in qr_runs(matrix):
        path.rect(col, row, length, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


# ── Text ─────────────────────────────────────────────────────────────────────


def format_date(value: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def _wrap(text: str, font: FontChain, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (CJK may break between any two characters)."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and font.width(line + char, size) > width:
                lines.append(line)
                line = char.lstrip()
            else:
                line += char
        lines.append(line)
    return lines


def _fit_size(text: str, font: FontChain, size: float, width: float, minimum: float) -> float:
    """The largest size up to `size` at which `text` fits on one line of `width`."""
    while size > minimum and font.width(text, size) > width:
        size -= 0.5
    return size


def _new_canvas(buffer, pagesize, content, subject: str, fonts: _Fonts) -> Canvas:
    canvas = Canvas(
        buffer, pagesize=pagesize, pageCompression=1, initialFontName=fonts.fixed.primary
    )
    canvas.setTitle(f"{content.title or content.type_name} {content.number}")
    canvas.setAuthor(content.issuer)
    canvas.setSubject(subject)
    canvas.setCreator("certificates.pdf")
    return canvas


# ── Layouts ──────────────────────────────────────────────────────────────────


def render_certificate(content: CertificateContent, *, font_path: str | None = None) -> bytes:
    """The A4 landscape certificate as PDF bytes."""
    fonts = _fonts(font_path)
    page_w, page_h = landscape(A4)
    buffer = io.BytesIO()
    c = _new_canvas(buffer, (page_w, page_h), content, _("证书"), fonts)

    # Paper and a double frame.
    c.setFillColor(PAPER)
    c.rect(0, 0, page_w, page_h, stroke=0, fill=1)
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(18, 18, page_w - 36, page_h - 36, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(26, 26, page_w - 52, page_h - 52, stroke=1, fill=0)

    # Fixed-font text is drawn in the same order on every certificate of a
    # type, so its glyph subset is identical and built once (see _fonts).
    title = content.title or content.type_name
    c.setFillColor(RED)
    fonts.fixed.draw(c, page_w / 2, page_h - 100, title, 40, "centre")
    c.setFillColor(MUTED)
    if content.type_name and content.type_name != title:
        fonts.fixed.draw(c, page_w / 2, page_h - 126, content.type_name, 14, "centre")

    text_x, text_w = 232, 360
    c.setFillColor(INK)
    y = 410
    for line in _wrap(content.wording, fonts.fixed, 15, text_w)[:4]:
        fonts.fixed.draw(c, text_x, y, line, 15)
        y -= 24

    rows = [
        (_("持证人"), content.holder_name, True),
        (_("证书编号"), content.number, False),
        (_("证书类型"), content.type_name, False),
        (_("家政卡号"), content.card_number or "—", False),
        (_("发证日期"), format_date(content.issued_on), False),
        (_("有效期至"), format_date(content.expires_on), False),
        (_("发证时所在机构"), content.agency_name or "—", True),
    ]
    y = min(y - 14, 330)
    label_w = 112
    for label, value, variable in rows:
        c.setFillColor(MUTED)
        fonts.fixed.draw(c, text_x, y, label, 12)
        font = fonts.variable if variable else fonts.fixed
        size = _fit_size(value, font, 15, text_w - label_w, 9)
        c.setFillColor(INK)
        font.draw(c, text_x + label_w, y, value, size)
        y -= 25

    # Photo, with the holder's masked name under it.
    _draw_photo(c, content, 78, 240, 112, 150, fonts)
    c.setFillColor(INK)
    fonts.variable.draw(c, 78 + 56, 220, content.holder_name, 14, "centre")

    # QR code for the household's scan.
    qr_x, qr_size = 628, 150
    _draw_qr(c, content.verify_url, qr_x, 250, qr_size)
    c.setFillColor(INK)
    fonts.fixed.draw(c, qr_x + qr_size / 2, 232, _("扫码查验证书真伪"), 12, "centre")

    # Issuer, date and the seal stamped over them.
    issuer_cx = 703
    fonts.fixed.draw(c, issuer_cx, 150, content.issuer, 15, "centre")
    fonts.fixed.draw(c, issuer_cx, 128, format_date(content.issued_on), 13, "centre")
    _draw_seal(c, content.seal, issuer_cx, 146, 104)

    c.setFillColor(MUTED)
    footer = _("本证书真伪及状态以扫码查验结果为准。")
    if content.revision > 1:
        footer += " " + _("补发（第%(revision)d版），原证书作废。") % {"revision": content.revision}
    fonts.fixed.draw(c, 44, 44, footer, 9)
    fonts.fixed.draw(c, page_w - 44, 44, content.number, 9, "right")

    c.showPage()
    c.save()
    return buffer.getvalue()


def render_card(content: CertificateContent, *, font_path: str | None = None) -> bytes:
    """The wallet-size card (85.6 × 54 mm) as PDF bytes."""
    fonts = _fonts(font_path)
    card_w, card_h = CARD_SIZE
    buffer = io.BytesIO()
    c = _new_canvas(buffer, CARD_SIZE, content, _("证书卡片"), fonts)

    c.setFillColor(white)
    c.rect(0, 0, card_w, card_h, stroke=0, fill=1)
    band = 26
    c.setFillColor(RED)
    c.rect(0, card_h - band, card_w, band, stroke=0, fill=1)
    c.setFillColor(white)
    title = content.title or content.type_name
    fonts.fixed.draw(
        c, 10, card_h - band + 8.5, title, _fit_size(title, fonts.fixed, 13, card_w - 20, 8)
    )

    _draw_photo(c, content, 9, 44, 48, 64, fonts)

    x = 64
    c.setFillColor(INK)
    fonts.variable.draw(c, x, card_h - band - 18, content.holder_name, 12)
    lines = [
        (_("编号"), content.number, False),
        (_("有效期至"), format_date(content.expires_on), False),
        (_("机构"), content.agency_name or "—", True),
    ]
    y = card_h - band - 34
    for label, value, variable in lines:
        c.setFillColor(MUTED)
        fonts.fixed.draw(c, x, y, label, 6.5)
        font = fonts.variable if variable else fonts.fixed
        c.setFillColor(INK)
        font.draw(c, x, y - 9, value, _fit_size(value, font, 7.5, 74, 5))
        y -= 21

    qr_size = 84
    _draw_qr(c, content.verify_url, card_w - qr_size - 4, 26, qr_size)
    c.setFillColor(MUTED)
    fonts.fixed.draw(c, card_w - qr_size / 2 - 4, 20, _("扫码查验"), 6, "centre")

    c.setFillColor(MUTED)
    issuer_size = _fit_size(content.issuer, fonts.fixed, 6.5, 140, 4.5)
    fonts.fixed.draw(c, 9, 10, content.issuer, issuer_size)
    _draw_seal(c, content.seal, 40, 22, 34)

    c.showPage()
    c.save()
    return buffer.getvalue()
