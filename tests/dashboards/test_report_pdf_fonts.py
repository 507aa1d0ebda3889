"""The monthly report and the card-collection sheet keep their digits in every CJK font present."""

import os
import shutil
import subprocess

import pytest

from dashboards import writers
from lms import pdffonts

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")

FONTS = [
    *(path for path, _index in pdffonts.CJK_FONT_CANDIDATES if os.path.exists(path)),
    "/nonexistent/no-font.ttf",
]
REPORT = {
    "month": "2026-11",
    "tables": {
        "registration": {
            "columns": ["submitted", "approved"],
            "rows": [
                {
                    "label": "黄浦区",
                    "values": {"submitted": 12, "approved": 3},
                    "change": {"submitted": 2, "approved": -1},
                }
            ],
            "total": {"submitted": 12, "approved": 3},
            "total_change": {"submitted": 2, "approved": -1},
        }
    },
}


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603 - a fixed tool on a file of our own
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("font_path", FONTS, ids=os.path.basename)
def test_the_monthly_report_title_and_figures_survive(font_path, tmp_path):
    text = pdftotext(writers.report_pdf(REPORT, font_path=font_path), tmp_path)
    assert "监管月报（2026-11）" in text
    assert "12 (+2)" in text and "3 (-1)" in text


@pytest.mark.parametrize("font_path", FONTS, ids=os.path.basename)
def test_the_card_sheet_keeps_dates_and_masked_numbers(font_path, tmp_path):
    row = {"name": "李*", "id_number": "310***********1234", "categories": "保洁", "branch": "A店"}
    data = writers.card_collection_pdf(
        agency_name="上海ABC家政", rows=[row], printed_on="2026-12-07", font_path=font_path
    )
    text = pdftotext(data, tmp_path)
    assert "2026-12-07" in text and "310***********1234" in text and "ABC" in text
