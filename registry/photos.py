"""Worker photos: checked, re-encoded and resized with Pillow (pure, no ORM).

Every upload is decoded and written again as a fresh JPEG, so EXIF (GPS
position, camera serial, capture time) and anything else hidden in the
original file never reach storage or the public lookup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MIN_SIDE = 100
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_SIZE = (600, 800)  # a portrait ID photo, 3:4
THUMB_SIZE = (120, 160)


@dataclass(frozen=True)
class ProcessedPhoto:
    photo: bytes
    thumbnail: bytes
    width: int
    height: int


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif= argument: the new file carries no metadata at all.
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def process_photo(data: bytes) -> ProcessedPhoto:
    """Validate an uploaded photo and return a resized JPEG and thumbnail without metadata.

    Raises ValidationError (in plain Chinese) for files that are too large,
    not JPEG/PNG/WebP, damaged, or too small to recognise a face.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片不能超过 5 MB，请压缩后再上传。"), code="photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(_("照片只能是 JPG、PNG 或 WebP 格式。"), code="photo_format")
            if width * height > MAX_PIXELS:
                raise ValidationError(_("照片像素过大，请缩小后再上传。"), code="photo_pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if min(image.size) < MIN_SIDE:
                raise ValidationError(
                    _("照片太小（至少 100×100 像素），请上传清晰的正面照。"), code="photo_small"
                )
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
            main = ImageOps.contain(image, PHOTO_SIZE, Image.Resampling.LANCZOS)
            thumb = ImageOps.fit(image, THUMB_SIZE, Image.Resampling.LANCZOS)
            return ProcessedPhoto(
                photo=_jpeg(main, 85),
                thumbnail=_jpeg(thumb, 80),
                width=main.width,
                height=main.height,
            )
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            _("无法读取这张照片，文件可能已损坏，请重新拍摄上传。"), code="photo_invalid"
        ) from exc
