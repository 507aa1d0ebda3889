"""Helpers the certificate services share: numbering, tokens and dates, the holder check,
creating and superseding a row, and sending rendering after commit.

Numbers are gap-free per type and year: the ``CertificateSequence`` row is
locked (``select_for_update``) and counted up in the same transaction that
inserts the certificate, so a rolled-back issue gives its number back.
"""

from __future__ import annotations

import calendar
import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from registry.models import FilingStatus
from registry.selectors.credit import worker_is_blacklisted
from registry.selectors.filings import worker_filing_status
from registry.selectors.workers import worker_current_employment

from ..credential_services import status_lists_rebuild_after_commit
from ..models import Certificate, CertificateSequence, CertificateType

RENDER_TASK = "certificates.tasks.certificate_render_task"
RENDER_MANY_TASK = "certificates.tasks.certificate_render_many"
TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters


class CertificateRefused(ValidationError):
    """A certificate cannot be issued (or renewed); ``message`` says why in plain Chinese."""


def new_token() -> str:
    """A random verification token (192 bits, URL-safe); never derived from the number."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def format_number(code: str, year: int, value: int) -> str:
    """SH-JZ-2026-000123: the type's code, the year of issue, a six-digit sequence."""
    return f"SH-{code.upper()}-{year}-{value:06d}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(issued_on: datetime.date, validity_months: int) -> datetime.date:
    """The last valid day: the day before the same date `validity_months` later."""
    return add_months(issued_on, validity_months) - datetime.timedelta(days=1)


def signed_in_user(user):
    """The acting user when signed in, else None (what a row's "by" column stores)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def lock_sequences(keys) -> dict[tuple[int, int], CertificateSequence]:
    """Lock the (type id, year) sequence rows, creating missing ones, always in the same order."""
    keys = sorted(keys)
    CertificateSequence.objects.bulk_create(
        [CertificateSequence(type_id=t, year=y, last_value=0) for t, y in keys],
        ignore_conflicts=True,
    )
    wanted = Q()
    for type_id, year in keys:
        wanted |= Q(type_id=type_id, year=year)
    rows = (
        CertificateSequence.objects.select_for_update().filter(wanted).order_by("type_id", "year")
    )
    return {(row.type_id, row.year): row for row in rows}


def next_number(cert_type: CertificateType, year: int) -> str:
    """Count the type's sequence for `year` up by one, under a row lock (call inside a transaction)."""
    sequence = lock_sequences({(cert_type.pk, year)})[(cert_type.pk, year)]
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return format_number(cert_type.code, year, sequence.last_value)


def agency_of(worker):
    """The worker's current agency: the open employment's, else the filing agency."""
    employment = worker_current_employment(worker)
    if employment is not None:
        return employment.agency
    return worker.agency


def holder_refusal(status: str | None, *, blacklisted: bool) -> CertificateRefused | None:
    """Why a worker with this filing status (and blacklisting) gets no certificate, or None."""
    if status != FilingStatus.APPROVED:
        label = FilingStatus(status).label if status else _("未备案")
        return CertificateRefused(
            _("备案未通过审核（当前状态：%(status)s），不能发证。") % {"status": label},
            code="filing_not_approved",
        )
    if blacklisted:
        return CertificateRefused(_("该服务员已被列入黑名单，不能发证。"), code="blacklisted")
    return None


def check_holder(worker) -> None:
    """Refuse a worker whose filing is not approved, or who is blacklisted."""
    status = worker_filing_status(worker)
    refusal = holder_refusal(
        status,
        blacklisted=status == FilingStatus.APPROVED and worker_is_blacklisted(worker),
    )
    if refusal is not None:
        raise refusal


def render_after_commit(certificate: Certificate) -> None:
    """After commit, send the rendering of one certificate's PDF and card (call inside the write)."""
    render_many_after_commit([certificate.pk])


def render_many_after_commit(certificate_ids: list[int]) -> None:
    """After commit, one message renders them all (one per certificate when alone)."""
    from lms.tasks import send_task_by_name

    if len(certificate_ids) == 1:
        send_task_by_name(RENDER_TASK, certificate_ids[0])
    elif certificate_ids:
        send_task_by_name(RENDER_MANY_TASK, list(certificate_ids))


def create_certificate(
    *,
    cert_type: CertificateType,
    worker,
    number: str,
    issued_on: datetime.date,
    origin: str,
    acting_user,
    attempt=None,
    revision: int = 1,
    expires_on: datetime.date | None = None,
    agency=None,
    card_number: str | None = None,
) -> Certificate:
    """Insert one certificate row with a new token; for the services here, which number it
    (:func:`next_number`) and check the holder first; the expiry follows the type by default."""
    return Certificate.objects.create(
        type=cert_type,
        number=number,
        token=new_token(),
        worker=worker,
        attempt=attempt,
        agency=agency if agency is not None else agency_of(worker),
        card_number=card_number if card_number is not None else (worker.card_number or ""),
        issued_on=issued_on,
        expires_on=expires_on or expiry_for(issued_on, cert_type.validity_months),
        revision=revision,
        origin=origin,
        issued_by=signed_in_user(acting_user),
    )


def supersede(old: Certificate, new: Certificate) -> None:
    """Point `old` at the row that replaces it and, after commit, set its credential's status bit."""
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    # The old certificate's verifiable credential no longer counts: set its status bit.
    status_lists_rebuild_after_commit(certificate_ids=[old.pk])
