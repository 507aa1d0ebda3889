"""Certificates' PDFs, cards and credentials downloaded together as one ZIP."""

from __future__ import annotations

import tempfile
import zipfile

from .. import credentials
from ..credential_services import credential_record
from .rendering import certificate_render


def certificates_zip(*, certificates, empty_note: str | None = None):
    """The given certificates' PDF and card as one ZIP, rendering missing files first; the
    caller scopes `certificates` to what the user may see (``certificates_for_zip``).

    Returns an open file positioned at the start, spooled to disk so a large
    agency's ZIP never sits in memory whole. With `empty_note`, an archive
    holding no PDF gets a README.txt with that text instead of being empty.
    Where this site signs credentials, each certificate's Open Badges
    credential (masked name) is in it too, as ``….credential.json``.
    """
    with_credentials = credentials.credentials_enabled()
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    count = 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=200):
            certificate_render(certificate_id=certificate.pk)
            certificate.refresh_from_db(fields=["pdf", "card_pdf"])
            base = f"{certificate.number}-{certificate.worker.name}"
            if with_credentials:
                record = credential_record(certificate=certificate)
                credential = credentials.credential_for(certificate, record)
                archive.writestr(
                    f"{base}.credential.json", credentials.credential_bytes(credential)
                )
            for field, suffix in ((certificate.pdf, ""), (certificate.card_pdf, "-card")):
                if not field:
                    continue
                try:
                    with field.open("rb") as fh:
                        archive.writestr(f"{base}{suffix}.pdf", fh.read())
                except (OSError, ValueError):
                    continue
                count += 1
        if not count and empty_note:
            archive.writestr("README.txt", empty_note)
    spool.seek(0)
    return spool
