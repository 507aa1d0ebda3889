"""certificates_rerender_pdfs redraws the stored PDFs a deficient font left blank, and only those."""

import io

from django.core.files.base import ContentFile
from django.core.management import call_command

import pytest
from pypdf import PdfReader

from certificates import pdf
from certificates.models import Certificate
from certificates.selectors.pending import certificates_needing_pdf
from certificates.services.rendering import certificate_render
from tests.certificates.factories import issue

pytestmark = pytest.mark.django_db

# What a PDF drawn with Droid Sans Fallback alone names as its fonts (the text
# itself does not matter to the command: it judges by the faces).
DROID_ONLY = b"%PDF-1.4\n<< /Type /Font /BaseFont /AAAAAA+DroidSansFallback >>\n%%EOF\n"
WQY = b"%PDF-1.4\n<< /Type /Font /BaseFont /AAAAAA+WenQuanYiMicroHei-0 >>\n%%EOF\n"


def stored(certificate: Certificate, data: bytes, fonts: str = "") -> Certificate:
    """Replace the certificate's files with `data`, as a release before fonts were recorded."""
    certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    certificate.pdf.save(f"{certificate.number}-old.pdf", ContentFile(data), save=False)
    certificate.card_pdf.save(f"{certificate.number}-old-card.pdf", ContentFile(data), save=False)
    certificate.pdf_fonts = fonts
    certificate.save(update_fields=["pdf", "card_pdf", "pdf_fonts"])
    return certificate


def text_of(field) -> str:
    with field.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_only_pdfs_from_a_font_without_latin_glyphs_are_redrawn():
    blank = stored(issue(), DROID_ONLY)
    sound_legacy = stored(issue(), WQY)
    recorded = stored(issue(), WQY, fonts="WenQuanYiMicroHei")

    out = io.StringIO()
    call_command("certificates_rerender_pdfs", stdout=out)

    assert "checked 3, deficient 1, re-rendered 1, failed 0" in out.getvalue()
    blank.refresh_from_db()
    assert blank.pdf_fonts == pdf.font_signature()
    assert blank.number in text_of(blank.pdf) and blank.number in text_of(blank.card_pdf)
    sound_legacy.refresh_from_db()
    assert sound_legacy.pdf.read() == WQY  # untouched,
    assert sound_legacy.pdf_fonts == "WenQuanYiMicroHei"  # and now recorded
    recorded.refresh_from_db()
    assert recorded.pdf.name.endswith("-old.pdf")

    again = io.StringIO()
    call_command("certificates_rerender_pdfs", stdout=again)
    assert "checked 3, deficient 0, re-rendered 0" in again.getvalue()


def test_queued_redraws_leave_the_certificate_stale_for_the_workers(monkeypatch):
    blank = stored(issue(), DROID_ONLY)
    sent = []
    monkeypatch.setattr("lms.tasks.send_task_by_name", lambda name, *args: sent.append(args))

    call_command("certificates_rerender_pdfs", queue=True, stdout=io.StringIO())

    blank.refresh_from_db()
    assert blank.pdf_revision == ""  # the reconciler re-sends it if the message is lost
    assert blank in certificates_needing_pdf()
    assert sent == [(blank.pk,)]
