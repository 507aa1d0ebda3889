"""The pure rendering modules: PDF bytes in Chinese with a QR that decodes to the verify URL."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certificates import pdf
from certificates.demo import make_photo_jpeg, make_seal_png
from certificates.qr import qr_matrix, qr_png, qr_runs, qr_svg

URL = "https://jz.example.gov.cn/v/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2Q/"


def content(**overrides):
    data = {
        "number": "SH-JZ-2026-000123",
        "type_name": "上门服务证",
        "title": "上门服务证",
        "wording": "该同志已完成上门服务培训课程，经考核成绩合格，特发此证。",
        "issuer": "上海市商务委员会",
        "holder_name": "张*红",
        "issued_on": date(2026, 3, 1),
        "expires_on": date(2029, 2, 28),
        "verify_url": URL,
        "card_number": "****0012",
        "agency_name": "上海阿姨帮家政服务有限公司",
        "photo": make_photo_jpeg(),
        "seal": make_seal_png(),
    }
    data.update(overrides)
    return pdf.CertificateContent(**data)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_qr_png_decodes_to_the_url():
    assert decode(Image.open(io.BytesIO(qr_png(URL)))) == [URL]


def test_qr_runs_cover_exactly_the_dark_modules():
    matrix = qr_matrix(URL)
    dark = {(y, x) for y, row in enumerate(matrix) for x, cell in enumerate(row) if cell}
    covered = {(y, x + i) for y, x, length in qr_runs(matrix) for i in range(length)}
    assert covered == dark


def test_qr_svg_is_inline_svg_without_script():
    svg = qr_svg(URL, title="<扫码>")
    assert svg.startswith("<svg") and "<path" in svg
    assert "<script" not in svg and "&lt;扫码&gt;" in svg


def test_certificate_is_a4_landscape_with_the_facts_in_chinese():
    data = pdf.render_certificate(content())
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)
    text = text_of(data)
    for fact in ("上门服务证", "SH-JZ-2026-000123", "张*红", "2029年2月28日", "上海市商务委员会"):
        assert fact in text


@pytest.mark.skipif(not pdf.font_is_embedded(), reason="no TrueType CJK font on this machine")
def test_certificate_embeds_a_truetype_cjk_font():
    reader = PdfReader(io.BytesIO(pdf.render_certificate(content())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [f.get_object()["/FontDescriptor"].get_object() for f in fonts.values()]
    assert descriptors and all("/FontFile2" in d for d in descriptors)


def test_without_a_font_file_the_builtin_cid_font_is_used():
    data = pdf.render_certificate(content(), font_path="/nonexistent/font.ttf")
    assert "SH-JZ-2026-000123" in text_of(data)
    assert b"STSong-Light" in data


def test_card_is_wallet_size():
    reader = PdfReader(io.BytesIO(pdf.render_card(content())))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4, 1) == 85.6
    assert round(float(box.height) / 72 * 25.4, 1) == 54.0


def test_rendering_is_stable_and_without_photo_or_seal():
    bare = content(photo=None, seal=None)
    assert pdf.render_certificate(bare).startswith(b"%PDF")
    assert pdf.render_card(bare).startswith(b"%PDF")


def test_large_or_png_photos_are_reduced_to_a_small_jpeg():
    big = make_photo_jpeg(size=(1200, 1600))
    small = pdf.prepare_photo(big)
    assert small[:2] == b"\xff\xd8"
    assert Image.open(io.BytesIO(small)).size[0] <= pdf.PHOTO_MAX_PIXELS[0]
    png = io.BytesIO()
    Image.open(io.BytesIO(big)).save(png, format="PNG")
    assert pdf.prepare_photo(png.getvalue())[:2] == b"\xff\xd8"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("render, dpi", [(pdf.render_certificate, 100), (pdf.render_card, 300)])
def test_printed_qr_code_scans_to_the_verify_url(tmp_path, render, dpi):
    source = tmp_path / "doc.pdf"
    source.write_bytes(render(content()))
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), str(source), str(tmp_path / "page")], check=True
    )
    image = Image.open(next(tmp_path.glob("page*.png")))
    assert decode(image) == [URL]


def test_pdf_text_has_no_id_number_or_phone():
    text = text_of(pdf.render_certificate(content()))
    assert not re.search(r"\d{17}[\dXx]", text)
    assert not re.search(r"1[3-9]\d{9}", text)


def test_fast_qr_matrix_is_exactly_what_qrcode_makes():
    """Same version and the same best mask as qrcode's own (slower) search."""
    import secrets

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    samples = [f"https://jz.example.gov.cn/v/{secrets.token_urlsafe(24)}/" for _ in range(40)]
    samples += ["x" * n for n in (1, 40, 150, 300)] + ["2026" * 30]
    for data in samples:
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        reference.add_data(data)
        reference.make(fit=True)
        expected = tuple(tuple(bool(c) for c in row) for row in reference.get_matrix())
        assert qr_matrix(data) == expected
