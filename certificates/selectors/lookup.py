"""Public lookups of one certificate, by QR token or by number and holder name.

Public answers (the verification page, the API, the lookup page) are built
here as plain :class:`Verification` values holding only masked data, so no
template or endpoint can reach an unmasked name, ID number or phone.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from lms.masking import mask_name
from registry.selectors.door_facts import worker_door_facts
from registry.selectors.visits import worker_visit_summary

from ..door import RED, DoorStatus, door_status_from
from ..models import Certificate

#: What a token looks like (``secrets.token_urlsafe``); anything else is a miss without a query.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


NUMBER_RE = re.compile(r"^[A-Z0-9-]{6,30}$")


def verify_url(token: str) -> str:
    """The absolute URL printed in the QR code (DESIGN.md §5: never change its shape)."""
    return f"{settings.SITE_URL}/v/{token}/"


def standing_cache_seconds() -> int:
    """How long a holder's credit standing may be reused on public pages (CERTIFICATES_STANDING_CACHE_SECONDS)."""
    return getattr(settings, "CERTIFICATES_STANDING_CACHE_SECONDS", 60)


@dataclass(frozen=True)
class Verification:
    """What the public may know about one certificate; every name is masked."""

    token: str
    status: str
    status_label: str
    number: str
    type_name: str
    issuer: str
    holder_name: str
    issued_on: datetime.date
    expires_on: datetime.date
    agency_name: str
    revoked_on: datetime.date | None
    revision: int
    has_photo: bool
    standing_level: str
    standing_label: str
    door: DoorStatus
    visit_count: int
    average_rating: float | None
    #: For the holder's view log (#26) only; never shown.
    worker_id: int

    @property
    def css(self) -> str:
        return {
            Certificate.Status.VALID: "ok",
            Certificate.Status.EXPIRED: "warn",
            Certificate.Status.SUPERSEDED: "warn",
        }.get(self.status, "bad")

    @property
    def confirm_warnings(self) -> list[str]:
        """Why a household should think twice before confirming entry: the reasons of a
        red code, or of a certificate that is no longer the valid one (replaced, expired,
        revoked). Empty when confirming needs no second look."""
        if self.door.colour != RED and self.status == Certificate.Status.VALID:
            return []
        reasons = list(self.door.reasons)
        if self.status != Certificate.Status.VALID and not reasons:
            reasons.append(self.status_label)
        return reasons

    def as_api(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "number": self.number,
            "type": self.type_name,
            "holder_name": self.holder_name,
            "issued_on": self.issued_on,
            "expires_on": self.expires_on,
            "revoked_on": self.revoked_on,
            "issuer": self.issuer,
            "agency": self.agency_name,
            "holder_credit_standing": self.standing_level,
            "door_colour": self.door.colour,
            "door_reasons": self.door.reasons,
            "visits_12_months": self.visit_count,
            "average_rating": self.average_rating,
        }


def _public_queryset() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("type", "worker__agency", "agency").only(
        "token",
        "number",
        "issued_on",
        "expires_on",
        "revision",
        "revoked_at",
        "superseded_by_id",
        "worker_id",
        "type__name",
        "type__issuing_authority",
        "worker__name",
        "worker__photo",
        "worker__photo_thumbnail",
        "worker__agency__name",
        "agency__name",
    )


def _holder_facts(worker):
    """(door facts, visit summary) of the holder, shared for ``standing_cache_seconds()``.

    Four queries on a miss (filing, insurance, credit records, visits), none on a hit.
    """
    key = f"certificates:holder-facts:{worker.pk}"
    value = cache.get(key)
    if value is None:
        today = timezone.localdate()
        value = (
            worker_door_facts(worker, today=today),
            worker_visit_summary(worker, today=today),
        )
        cache.set(key, value, standing_cache_seconds())
    return value


def _verification(certificate: Certificate, today: datetime.date) -> Verification:
    status = certificate.status_on(today)
    facts, visits = _holder_facts(certificate.worker)
    worker = certificate.worker
    return Verification(
        token=certificate.token,
        status=status,
        status_label=str(Certificate.Status(status).label),
        number=certificate.number,
        type_name=certificate.type.name,
        issuer=certificate.type.issuing_authority,
        holder_name=mask_name(worker.name),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        # The certificate follows the person: the agency they work for now, not at issue.
        agency_name=worker.agency.name if worker.agency else "",
        revoked_on=timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None,
        revision=certificate.revision,
        has_photo=bool(worker.photo_thumbnail or worker.photo),
        standing_level=facts.standing_level,
        standing_label=facts.standing_label,
        door=door_status_from(facts, [certificate], today=today),
        visit_count=visits.visits,
        average_rating=visits.average_rating,
        worker_id=worker.pk,
    )


def verification_for_token(token: str) -> Verification | None:
    """The public answer for a QR token (anyone may ask), or None for any miss; a token not
    shaped like one is refused without a query.

    Read from the database on every call (one query, by a unique index), so
    a revocation or reissue shows on the very next request; only the holder's
    credit standing is shared for ``standing_cache_seconds()``.
    """
    if not token or not TOKEN_RE.match(token):
        return None
    certificate = _public_queryset().filter(token=token).first()
    if certificate is None:
        return None
    return _verification(certificate, timezone.localdate())


def verification_for_number(number: str, holder_name: str) -> Verification | None:
    """The public answer for a certificate number plus the holder's full name, or None.

    The newest revision of the number answers (a reissued number shows the
    reissue); the name must match exactly, so the number alone reveals nothing.
    """
    number = (number or "").strip().upper()
    holder_name = (holder_name or "").strip()
    if not NUMBER_RE.match(number) or not holder_name:
        return None
    certificate = _public_queryset().filter(number=number).order_by("-revision").first()
    if certificate is None or certificate.worker.name != holder_name:
        return None
    return _verification(certificate, timezone.localdate())


def photo_for_token(token: str):
    """The holder's photo file (thumbnail preferred) for a token, or None."""
    if not token or not TOKEN_RE.match(token):
        return None
    certificate = (
        Certificate.objects.select_related("worker")
        .only("worker__photo", "worker__photo_thumbnail")
        .filter(token=token)
        .first()
    )
    if certificate is None:
        return None
    worker = certificate.worker
    return worker.photo_thumbnail or worker.photo or None


def certificate_for_token(token: str) -> Certificate | None:
    """The certificate (with its holder) behind a QR token, or None; for confirm entry."""
    if not token or not TOKEN_RE.match(token):
        return None
    return (
        Certificate.objects.select_related("worker")
        .defer("worker__id_number_encrypted")
        .filter(token=token)
        .first()
    )


def certificate_token_by_id(certificate_id: int) -> str | None:
    """The QR token of certificate `certificate_id`, or None; for the page an opened live code
    leads to (the id comes from a signed code, never from the request itself)."""
    return Certificate.objects.filter(pk=certificate_id).values_list("token", flat=True).first()
