"""The change events (lms.outbox) of certificates, written in the transaction of the change.

``certificate.issued`` (a renewal too: a new number, with ``replaces``),
``certificate.reissued`` (same number, next revision), ``certificate.revoked`` and,
from the daily sweep, ``certificate.expired``. The data is references and states
(number, revision, type code, card number, agency credit code, dates), never a
name, ID number or phone; each row carries the holder and the holder's agency at
the time. Many certificates cost a constant number of queries.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from lms.outbox import EventType, changes_record
from registry.models import Worker
from registry.services.changes import EXPIRY_CATCH_UP_DAYS, agency_codes, announced_after

from ..models import Certificate, CertificateType


def certificate_data(certificate: Certificate, *, type_code: str, agency: str | None) -> dict:
    """What an event says about a certificate (references and dates only)."""
    return {
        "worker_id": certificate.worker_id,
        "certificate_id": certificate.pk,
        "number": certificate.number,
        "revision": certificate.revision,
        "type": type_code,
        "card_number": certificate.card_number or None,
        "agency": agency,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
    }


def _type_codes(certificates) -> dict[int, str]:
    """{type id: code}, from the loaded types when every certificate has its own (no query)."""
    if all(Certificate.type.is_cached(c) for c in certificates):
        return {c.type_id: c.type.code for c in certificates}
    ids = {c.type_id for c in certificates}
    return dict(CertificateType.objects.filter(pk__in=ids).values_list("pk", "code"))


def _holders_agencies(certificates) -> dict[int, int | None]:
    """{worker id: the worker's agency id now}, from the loaded holders when there (no query)."""
    if all(Certificate.worker.is_cached(c) for c in certificates):
        return {c.worker_id: c.worker.agency_id for c in certificates}
    ids = {c.worker_id for c in certificates}
    return dict(Worker.objects.filter(pk__in=ids).values_list("pk", "agency_id"))


def certificate_events(type_: str, certificates, *, extra=None) -> int:
    """Write one `type_` event per certificate in at most four queries whatever their
    number (types and holders unless loaded, the agencies' credit codes, one insert).
    `extra` maps a certificate's pk to more data (``replaces``, ``replaces_revision``)."""
    certificates = list(certificates)
    if not certificates:
        return 0
    extra = extra or {}
    types = _type_codes(certificates)
    holders = _holders_agencies(certificates)
    codes = agency_codes(holders.values())
    events = []
    for certificate in certificates:
        agency_id = holders.get(certificate.worker_id)
        data = certificate_data(
            certificate, type_code=types.get(certificate.type_id), agency=codes.get(agency_id)
        )
        data.update(extra.get(certificate.pk, {}))
        events.append(
            {
                "type": type_,
                "worker_id": certificate.worker_id,
                "agency_id": agency_id,
                "data": data,
            }
        )
    return changes_record(events)


def certificate_issued(certificate: Certificate, *, replaces: Certificate | None) -> None:
    """``certificate.issued`` for one new certificate (a renewal names the number it replaces)."""
    certificate_events(
        EventType.CERTIFICATE_ISSUED,
        [certificate],
        extra={certificate.pk: {"replaces": replaces.number if replaces else None}},
    )


def certificates_expire_sweep(*, today: datetime.date | None = None) -> int:
    """Daily: ``certificate.expired`` once for every current certificate (not replaced,
    not revoked) whose ``expires_on`` has passed and that no event announced yet.

    Set-based: one anti-joined query against the events already written (by the
    certificate's id in their data, only events of the catch-up window, read
    through the outbox's time index), then the three queries of
    :func:`certificate_events`. A rerun writes nothing; a missed day is caught up
    (up to ``EXPIRY_CATCH_UP_DAYS``). A certificate valid through its
    ``expires_on`` expires the day after.
    """
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=EXPIRY_CATCH_UP_DAYS)
    with transaction.atomic():
        expired = (
            Certificate.objects.filter(
                superseded_by__isnull=True,
                revoked_at__isnull=True,
                expires_on__gte=since,
                expires_on__lt=today,
            )
            .exclude(announced_after(EventType.CERTIFICATE_EXPIRED, "certificate_id", since))
            .only(
                "pk",
                "worker_id",
                "type_id",
                "number",
                "revision",
                "card_number",
                "issued_on",
                "expires_on",
            )
            .order_by("expires_on", "pk")
        )
        return certificate_events(EventType.CERTIFICATE_EXPIRED, expired)
