"""QR codes for certificates: plain data in, a module matrix or bytes out (no ORM).

The certificate PDF draws the matrix as vector rectangles (sharp at any print
size); the worker's phone page shows it as inline SVG; tests read the PNG back
with a decoder. Error correction level M survives a worn or folded card.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

#: Quiet zone in modules that every rendering keeps around the code (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4


@lru_cache(maxsize=512)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The dark/light modules of the smallest QR code holding `data`, without quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def qr_runs(matrix: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length).

    Drawing one rectangle per run instead of per module keeps the PDF small
    and fast to render; all runs are filled as one path, so no hairline seams.
    """
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        width = len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def qr_svg(data: str, *, title: str = "") -> str:
    """A standalone SVG element (for inline use) with a white quiet zone.

    Scales to its container; ``shape-rendering="crispEdges"`` keeps modules sharp.
    """
    from django.utils.html import escape

    matrix = qr_matrix(data)
    size = len(matrix) + 2 * QUIET_ZONE
    path = "".join(
        f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{length}v1h-{length}z"
        for y, x, length in qr_runs(matrix)
    )
    label = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img">{label}'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """A black-on-white PNG, `scale` pixels per module, with the quiet zone."""
    from PIL import Image

    matrix = qr_matrix(data)
    n = len(matrix)
    side = n + 2 * QUIET_ZONE
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET_ZONE, y + QUIET_ZONE] = 0
    image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
