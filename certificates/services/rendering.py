"""Rendering a certificate's PDF and card: the printed content, one or many at a time,
and redrawing the files a deficient font left without digits or Latin."""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation

from lms.masking import mask_name, mask_tail

from .. import pdf
from ..models import Certificate, CertificateType
from ..selectors.lookup import verify_url
from ..selectors.pending import expected_pdf_revision
from .common import render_many_after_commit

logger = logging.getLogger(__name__)

#: Certificates locked, rendered and updated together by :func:`certificates_render`.
RENDER_GROUP = 50
#: Seal image files by name, read once per process (see :func:`_seal_bytes`).
_seal_cache: dict[str, bytes] = {}


def certificate_content(certificate: Certificate) -> pdf.CertificateContent:
    """The plain data printed on a certificate: masked name and card number, no ID or phone."""
    cert_type = certificate.type
    return pdf.CertificateContent(
        number=certificate.number,
        type_name=cert_type.name,
        title=cert_type.pdf_title or cert_type.name,
        wording=cert_type.pdf_wording,
        issuer=cert_type.issuing_authority,
        holder_name=mask_name(certificate.worker.name),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        verify_url=verify_url(certificate.token),
        card_number=mask_tail(certificate.card_number) if certificate.card_number else "",
        agency_name=certificate.agency.name if certificate.agency else "",
        revision=certificate.revision,
        photo=_photo_bytes(certificate.worker),
        seal=_seal_bytes(cert_type),
    )


def certificate_render(*, certificate_id: int, force: bool = False) -> bool:
    """Render the PDF and the card of one current certificate, unless already current (tasks,
    downloads, the demo); a revoked or superseded certificate is left as it is.

    Idempotent: re-running for the same revision and template does nothing
    and returns False. The row is locked while rendering, so two workers
    never write the same certificate twice. Old files are deleted after commit.
    Errors propagate (the render task retries on ``OSError``).
    """
    return _render_group([certificate_id], force=force, failed=None) == 1


def certificates_render(*, certificate_ids, force: bool = False) -> RenderResult:
    """Render several certificates as :func:`certificate_render` does, in groups of 50.

    Each group is one transaction: its rows are locked in one query (in
    primary-key order, so overlapping groups cannot deadlock) and updated in
    one. A certificate that fails is logged, reported in ``failed`` and left
    for the reconciler, which re-sends every current certificate still
    without its files; the others in its group are still rendered.
    """
    ids = list(dict.fromkeys(certificate_ids))
    result = RenderResult()
    for start in range(0, len(ids), RENDER_GROUP):
        group = ids[start : start + RENDER_GROUP]
        try:
            result.rendered += _render_group(group, force=force, failed=result.failed)
        except Exception as exc:  # noqa: BLE001 - a database error: the next group may still go
            logger.exception("Rendering certificates %s..%s failed", group[0], group[-1])
            result.failed.update({pk: str(exc)[:200] for pk in group})
    return result


@dataclass
class RenderResult:
    """What :func:`certificates_render` did: how many were rendered, which failed and why."""

    rendered: int = 0
    #: Certificate id → error message, for those that could not be rendered.
    failed: dict = field(default_factory=dict)


@dataclass
class RerenderResult:
    """What :func:`certificates_rerender_deficient_pdfs` found and redrew."""

    checked: int = 0  # current certificates with stored files looked at
    deficient: int = 0  # of them, drawn by a deficient font (or all, with `everything`)
    rendered: int = 0  # redrawn here (0 when sent to the workers)
    failed: dict = field(default_factory=dict)


def certificates_rerender_deficient_pdfs(
    *, everything: bool = False, queue: bool = False, chunk: int = 200, progress=None
) -> RerenderResult:
    """Redraw the stored PDFs and cards that a deficient font left without digits or Latin.

    A certificate rendered since fonts are recorded is judged by ``pdf_fonts``;
    an older one by the faces its stored PDF embeds (a sound one gets them
    recorded, so the next run skips it). Each deficient certificate's
    ``pdf_revision`` is cleared before it is drawn, so if this run stops, the
    reconciler (``certificates_needing_pdf``) finishes the job. With `queue`
    the drawing is left to the Celery workers, `chunk` certificates a message.
    `progress(result)` is called after every chunk.
    """
    result = RerenderResult()
    current = (
        Certificate.objects.current()
        .exclude(pdf="")
        .only("pk", "pdf", "card_pdf", "pdf_fonts")
        .order_by("pk")
    )
    batch: list[int] = []

    def flush():
        ids = list(batch)
        batch.clear()
        with transaction.atomic():
            Certificate.objects.filter(pk__in=ids).update(pdf_revision="")
            if queue:
                render_many_after_commit(ids)
        if not queue:
            rendered = certificates_render(certificate_ids=ids)
            result.rendered += rendered.rendered
            result.failed.update(rendered.failed)
        if progress is not None:
            progress(result)

    for certificate in current.iterator(chunk_size=chunk):
        result.checked += 1
        if everything or _pdf_is_deficient(certificate):
            result.deficient += 1
            batch.append(certificate.pk)
            if len(batch) >= chunk:
                flush()
    if batch:
        flush()
    elif progress is not None:
        progress(result)
    return result


def _pdf_is_deficient(certificate: Certificate) -> bool:
    if certificate.pdf_fonts:
        return pdf.faces_are_deficient(certificate.pdf_fonts.split("+"))
    faces = set()
    for stored in (certificate.pdf, certificate.card_pdf):
        if not stored:
            continue
        try:
            with stored.open("rb") as fh:
                faces |= pdf.embedded_faces(fh.read())
        except OSError:
            return True  # a file gone missing is redrawn too
    if pdf.faces_are_deficient(faces):
        return True
    if faces:
        Certificate.objects.filter(pk=certificate.pk, pdf_fonts="").update(
            pdf_fonts="+".join(sorted(faces))[:200]
        )
    return False


def _render_group(ids, *, force: bool, failed: dict | None) -> int:
    """Lock, render and update the certificates `ids` in one transaction; returns how many.

    With `failed` None the first error propagates; otherwise it is logged and
    recorded there, and the group goes on.
    """
    font = getattr(settings, "CERTIFICATES_FONT_PATH", None) or None
    with transaction.atomic():
        certificates = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("type", "type__seal_image", "worker", "agency")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        changed, old_files = [], []
        for cert in certificates:
            if not cert.is_current:
                continue
            expected = expected_pdf_revision(cert)
            if not force and cert.pdf_revision == expected and _files_present(cert):
                continue
            try:
                old_files += _render_files(cert, font)
            except Exception as exc:
                if failed is None:
                    raise
                logger.exception("Rendering certificate %s failed", cert.pk)
                failed[cert.pk] = str(exc)[:200]
                continue
            cert.pdf_revision = expected
            cert.pdf_fonts = pdf.font_signature(font)
            changed.append(cert)
        if changed:
            Certificate.objects.bulk_update(
                changed, ["pdf", "card_pdf", "pdf_revision", "pdf_fonts"]
            )
            storage = changed[0].pdf.storage
            transaction.on_commit(lambda: _delete_files(storage, old_files))
    return len(changed)


def _render_files(cert: Certificate, font) -> list[str]:
    """Render and store the certificate's PDF and card (not saved); returns the old file names."""
    content = certificate_content(cert)
    with translation.override(settings.LANGUAGE_CODE):
        certificate_pdf = pdf.render_certificate(content, font_path=font)
        card_pdf = pdf.render_card(content, font_path=font)
    old_files = [f.name for f in (cert.pdf, cert.card_pdf) if f]
    # Random file names: media may be served by the web server, so a
    # name must not be guessable from the number.
    stem = f"{cert.number}-r{cert.revision}-{secrets.token_urlsafe(12)}"
    cert.pdf.save(f"{stem}.pdf", ContentFile(certificate_pdf), save=False)
    cert.card_pdf.save(f"{stem}-card.pdf", ContentFile(card_pdf), save=False)
    return old_files


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # a file already gone is fine
            storage.delete(name)


def _files_present(certificate: Certificate) -> bool:
    return bool(
        certificate.pdf
        and certificate.card_pdf
        and certificate.pdf.storage.exists(certificate.pdf.name)
        and certificate.card_pdf.storage.exists(certificate.card_pdf.name)
    )


def _seal_bytes(cert_type: CertificateType) -> bytes | None:
    """The seal image's file, read once per process and file name."""
    image = cert_type.seal_image
    if image is None or not image.file:
        return None
    name = image.file.name
    data = _seal_cache.get(name)
    if data is None:
        with image.file.open("rb") as fh:
            data = fh.read()
        if len(_seal_cache) > 32:
            _seal_cache.clear()
        _seal_cache[name] = data
    return data


def _photo_bytes(worker) -> bytes | None:
    if not worker.photo:
        return None
    try:
        with worker.photo.open("rb") as fh:
            return fh.read()
    except OSError:
        logger.warning("Photo of worker %s is missing from storage", worker.pk)
        return None
