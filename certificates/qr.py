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
    """The dark/light modules of the smallest QR code holding `data`, without quiet zone.

    The same code as ``qrcode`` makes (same version, same best mask by the
    ISO/IEC 18004 penalty rules), several times faster: the data is laid out
    once, and the eight masks are scored with bit operations on the whole
    matrix held as one integer (see ``_Layout``), instead of laying the data
    out eight times and scoring cell by cell.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    layout = _layout(code.version, code.error_correction)
    rows, cols = _as_ints(code.modules)
    rows &= ~layout.reserved_rows
    cols &= ~layout.reserved_cols
    best_pattern, best_score = 0, None
    for pattern in range(8):
        score = layout.penalty(rows ^ layout.xor_rows[pattern], cols ^ layout.xor_cols[pattern])
        if best_score is None or score < best_score:
            best_pattern, best_score = pattern, score
    final = rows ^ layout.xor_rows[best_pattern] | layout.fixed_rows[best_pattern]
    size = layout.size
    bits = format(final, f"0{size * size}b")[::-1]
    return tuple(tuple(c == "1" for c in bits[i * size : (i + 1) * size]) for i in range(size))


def _as_ints(modules) -> tuple[int, int]:
    """The matrix as two integers: cell (i, j) at bit i·n+j (rows) and at bit j·n+i (columns)."""
    row_major = "".join("1" if cell else "0" for row in modules for cell in row)
    col_major = "".join(
        "1" if cell else "0" for column in zip(*modules, strict=True) for cell in column
    )
    return int(row_major[::-1], 2), int(col_major[::-1], 2)


def _window_mask(size: int, width: int) -> int:
    """Bits where a run of `width` cells starting there stays inside one line."""
    line = (1 << (size - width + 1)) - 1
    return sum(line << (i * size) for i in range(size))


_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))


class _Layout:
    """What the eight masks change in one QR version, learnt once from ``qrcode`` itself."""

    def __init__(self, version: int, error_correction: int):
        code = qrcode.QRCode(version=version, error_correction=error_correction, border=0)
        code.add_data("")
        code.make(fit=False)
        self.size = size = code.modules_count
        # While masks are scored, format (and version) cells count as light,
        # exactly as qrcode's best_mask_pattern scores them.
        tested = []
        full = []
        for pattern in range(8):
            code.makeImpl(True, pattern)
            tested.append(_as_ints(code.modules))
            code.makeImpl(False, pattern)
            full.append(_as_ints(code.modules))
        code.modules = [[None] * size for _ in range(size)]
        code.setup_type_info(False, 0)
        if version >= 7:
            code.setup_type_number(False)
        reserved = [[cell is not None for cell in row] for row in code.modules]
        self.reserved_rows, self.reserved_cols = _as_ints(reserved)
        self.xor_rows = [t[0] ^ tested[0][0] for t in tested]
        self.xor_cols = [t[1] ^ tested[0][1] for t in tested]
        self.fixed_rows = [f[0] & self.reserved_rows for f in full]
        self.full = (1 << size * size) - 1
        self.w5 = _window_mask(size, 5)
        self.w11 = _window_mask(size, 11)
        inner = (1 << (size - 1)) - 1
        self.w22 = sum(inner << (i * size) for i in range(size - 1))

    def _lines_score(self, bits: int) -> int:
        """Runs of five or more (N1) and finder-like patterns (N3) along the lines of `bits`."""
        score = 0
        for value in (bits, ~bits & self.full):
            windows = value
            for shift in range(1, 5):
                windows &= value >> shift
            windows &= self.w5
            starts = windows & ~(windows << 1)
            score += windows.bit_count() + 2 * starts.bit_count()
        light = ~bits & self.full
        for pattern in _FINDER_LIKE:
            match = self.w11
            for shift, dark in enumerate(pattern):
                match &= (bits if dark else light) >> shift
            score += 40 * match.bit_count()
        return score

    def penalty(self, rows: int, cols: int) -> int:
        """The mask penalty, equal to ``qrcode.util.lost_point`` of the same matrix."""
        size = self.size
        score = self._lines_score(rows) + self._lines_score(cols)
        same = ~(rows ^ (rows >> size))
        blocks = same & (same >> 1) & ~(rows ^ (rows >> 1)) & self.w22
        score += 3 * blocks.bit_count()
        score += int(abs(float(rows.bit_count()) / size**2 * 100 - 50) / 5) * 10
        return score


@lru_cache(maxsize=64)
def _layout(version: int, error_correction: int) -> _Layout:
    return _Layout(version, error_correction)


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
