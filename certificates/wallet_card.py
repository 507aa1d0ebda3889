"""The wallet card as a PNG, with the Open Badges credential baked in.

The printed card is a PDF; wallets and chat apps want an image. This card is
the certificate's QR code (to the verify page) under a short caption, and
carries the signed credential in an ``iTXt`` chunk keyed
``openbadgecredential`` (Open Badges 3.0 §5.3 "Baking"), so the image alone
is enough for an offline verifier.
"""

from __future__ import annotations

import io
import json

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from lms import pdffonts

from .qr import qr_png
from .selectors.lookup import verify_url

BAKE_KEYWORD = "openbadgecredential"
WIDTH = 640
CAPTION_HEIGHT = 150


def _font(size: int):
    found = pdffonts.cjk_font_file()
    if found is not None:
        path, index = found
        try:
            return ImageFont.truetype(path, size, index=index)
        except OSError:
            pass
    return None  # no CJK face here: the card shows the QR code alone


def card_png(certificate, *, holder_name: str) -> bytes:
    """The QR card of `certificate`: QR code to its verify page, caption with number and dates."""
    code = Image.open(io.BytesIO(qr_png(verify_url(certificate.token), scale=10)))
    code = code.convert("RGB").resize((WIDTH - 80, WIDTH - 80), Image.Resampling.NEAREST)
    image = Image.new("RGB", (WIDTH, WIDTH - 40 + CAPTION_HEIGHT), "white")
    image.paste(code, (40, CAPTION_HEIGHT - 20))
    draw = ImageDraw.Draw(image)
    title, body = _font(34), _font(24)
    if title is not None:
        draw.text((40, 24), f"上门服务证 · {certificate.type.name}", font=title, fill="black")
        draw.text(
            (40, 78),
            f"{holder_name}  {certificate.number}  有效期至 {certificate.expires_on:%Y-%m-%d}",
            font=body,
            fill="black",
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def bake(png: bytes, credential: dict) -> bytes:
    """`png` with `credential` as an uncompressed iTXt chunk ``openbadgecredential``."""
    image = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    info.add_itxt(BAKE_KEYWORD, json.dumps(credential, ensure_ascii=False), zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


class NotBaked(ValueError):
    """The image is not a PNG, or carries no openbadgecredential chunk."""


def unbake(png: bytes) -> dict:
    """The credential baked into `png` (JSON object), or NotBaked."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except Exception as exc:  # Pillow raises many kinds for a non-image
        raise NotBaked("not an image") from exc
    if image.format != "PNG":
        raise NotBaked("not a PNG")
    text = getattr(image, "text", {}).get(BAKE_KEYWORD)
    if not text:
        raise NotBaked("no openbadgecredential chunk")
    try:
        credential = json.loads(str(text))
    except ValueError as exc:
        raise NotBaked("the chunk is not JSON") from exc
    if not isinstance(credential, dict):
        raise NotBaked("the chunk is not a JSON object")
    return credential
