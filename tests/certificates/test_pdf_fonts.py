"""Certificate PDFs keep every digit and Latin letter whichever CJK font the machine has.

Droid Sans Fallback (the last candidate) has no glyphs for digits or Latin
letters; drawn with it alone, the number and the dates came out blank.
"""

import os
import shutil
import subprocess
from datetime import date

import pytest

from certificates import pdf
from lms import pdffonts

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")

PRESENT = [path for path, _index in pdffonts.CJK_FONT_CANDIDATES if os.path.exists(path)]
#: Every candidate file present here, and no file at all (the built-in CID font).
FONTS = [*PRESENT, "/nonexistent/no-font.ttf"]
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"


def content():
    return pdf.CertificateContent(
        number="SH-JZ-2026-000123",
        type_name="上门服务证",
        title="上门服务证",
        wording="该同志已完成上门服务培训课程，经考核成绩合格，特发此证。",
        issuer="上海市商务委员会",
        holder_name="张*红",
        issued_on=date(2026, 3, 1),
        expires_on=date(2029, 2, 28),
        verify_url="https://jz.example.gov.cn/v/token/",
        card_number="SHJZ00012345",
        agency_name="上海Alpha家政服务有限公司",
    )


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file of our own
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize("font_path", FONTS, ids=os.path.basename)
def test_the_certificate_shows_its_number_card_and_dates_in_every_font(font_path, tmp_path):
    text = pdftotext(pdf.render_certificate(content(), font_path=font_path), tmp_path)
    for fact in ("SH-JZ-2026-000123", "SHJZ00012345", "2026年3月1日", "2029年2月28日", "Alpha"):
        assert fact in text, (fact, pdf.font_signature(font_path))
    assert "上门服务证" in text


@pytest.mark.parametrize("font_path", FONTS, ids=os.path.basename)
def test_the_card_shows_its_number_and_expiry_in_every_font(font_path, tmp_path):
    text = pdftotext(pdf.render_card(content(), font_path=font_path), tmp_path)
    assert "SH-JZ-2026-000123" in text and "2029年2月28日" in text


@pytest.mark.skipif(not os.path.exists(DROID), reason="fonts-droid-fallback is not installed")
def test_a_face_without_latin_glyphs_is_backed_by_a_latin_face():
    assert pdf.font_signature(DROID) == "DroidSansFallback+BitstreamVeraSans-Roman"
    runs = pdffonts.document_chain(DROID).runs("编号JZ-12")
    assert [piece for _font, piece in runs] == ["编号", "JZ-12"]


def test_a_covering_candidate_is_chosen_over_an_earlier_one_that_lacks_latin(monkeypatch):
    if not (os.path.exists(DROID) and len(PRESENT) >= 2):
        pytest.skip("needs Droid Sans Fallback and another CJK font")
    other = next(path for path in PRESENT if path != DROID)
    monkeypatch.setattr(pdffonts, "CJK_FONT_CANDIDATES", ((DROID, 0), (other, 0)))
    pdffonts._cjk_font_file.cache_clear()  # noqa: SLF001 - the choice is cached per process
    try:
        assert pdffonts.cjk_font_file() == (other, 0)
    finally:
        pdffonts._cjk_font_file.cache_clear()  # noqa: SLF001
