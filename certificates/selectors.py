"""Reads of the certificates app: status, public verification, who may see which certificate.

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
from django.db.models import CharField, Q, QuerySet, Value
from django.utils import timezone

from lms.masking import mask_name
from registry.selectors.access import user_sees_all_workers, workers_visible_to
from registry.selectors.door_facts import worker_door_facts
from registry.selectors.visits import visits_since, worker_visit_summary

from .door import RED, DoorStatus, door_status_from
from .models import Certificate, CertificateType

#: What a token looks like (``secrets.token_urlsafe``); anything else is a miss without a query.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
NUMBER_RE = re.compile(r"^[A-Z0-9-]{6,30}$")


def verify_url(token: str) -> str:
    """The absolute URL printed in the QR code (DESIGN.md §5: never change its shape)."""
    return f"{settings.SITE_URL}/v/{token}/"


def standing_cache_seconds() -> int:
    """How long a holder's credit standing may be reused on public pages (CERTIFICATES_STANDING_CACHE_SECONDS)."""
    return getattr(settings, "CERTIFICATES_STANDING_CACHE_SECONDS", 60)


# --- status -----------------------------------------------------------------


def certificate_status(
    certificate: Certificate, *, today: datetime.date | None = None
) -> Certificate.Status:
    """The certificate's status today (or on `today`), by :meth:`Certificate.status_on`."""
    return certificate.status_on(today or timezone.localdate())


def current_certificate(certificate: Certificate) -> Certificate:
    """The newest certificate in `certificate`'s chain of reissues and renewals."""
    seen = {certificate.pk}
    while certificate.superseded_by_id is not None:
        certificate = Certificate.objects.get(pk=certificate.superseded_by_id)
        if certificate.pk in seen:  # pragma: no cover - a cycle is a data error
            break
        seen.add(certificate.pk)
    return certificate


def certificate_types_for_exams(exam_ids) -> dict[int, CertificateType]:
    """{exam_id: the certificate type that exam earns}, one query: the oldest type
    when an editor made two for the same exam."""
    types: dict[int, CertificateType] = {}
    for cert_type in CertificateType.objects.filter(exam_id__in=exam_ids).order_by("pk"):
        types.setdefault(cert_type.exam_id, cert_type)
    return types


# --- public verification ---------------------------------------------------


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
    )


def verification_for_token(token: str) -> Verification | None:
    """The public answer for a QR token, or None for any miss.

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


# --- who sees what -----------------------------------------------------------


def certificates_for_worker(worker) -> list[Certificate]:
    """A worker's certificates, newest first, current ones before the history."""
    rows = list(
        Certificate.objects.filter(worker=worker)
        .select_related("type", "agency")
        .order_by("-issued_on", "-revision", "-pk")
    )
    rows.sort(key=lambda c: 0 if c.is_current else 1)
    return rows


def certificate_of_worker(worker, certificate_id: int) -> Certificate | None:
    """The worker's own certificate `certificate_id`, or None (someone else's: None too)."""
    if worker is None:
        return None
    return (
        Certificate.objects.select_related("type", "worker", "agency")
        .filter(pk=certificate_id, worker=worker)
        .first()
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates a staff login may see: those of ``workers_visible_to(user)``."""
    if user is None or not user.is_authenticated:
        return Certificate.objects.none()
    qs = Certificate.objects.select_related("type", "worker", "agency")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


def certificate_visible_to(user, certificate_id: int) -> Certificate | None:
    return certificates_visible_to(user).filter(pk=certificate_id).first()


def certificates_for_zip(user, *, type_id: int | None = None) -> QuerySet[Certificate]:
    """Current certificates (not revoked, not superseded) a staff login may download together."""
    qs = certificates_visible_to(user).current()
    if type_id:
        qs = qs.filter(type_id=type_id)
    return qs.order_by("worker__name", "number")


# --- life cycle queries ------------------------------------------------------


def certificates_expiring(*, today: datetime.date, within_days: int = 30) -> QuerySet[Certificate]:
    """Current certificates that expire within `within_days` and were not reminded yet."""
    return (
        Certificate.objects.current()
        .filter(
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .filter(
            Q(expiry_reminded_on__isnull=True)
            | Q(expiry_reminded_on__lt=today - datetime.timedelta(days=within_days))
        )
        .select_related("type", "worker", "worker__user", "agency")
        .order_by("agency_id", "expires_on", "pk")
    )


def certificates_needing_pdf() -> QuerySet[Certificate]:
    """Current certificates whose PDF or card is missing or from an older revision or template."""
    from django.db.models import F
    from django.db.models.functions import Cast, Concat

    expected = Concat(
        Cast(F("revision"), CharField()),
        Value("."),
        Cast(F("type__template_revision"), CharField()),
        output_field=CharField(),
    )
    return (
        Certificate.objects.current()
        .annotate(expected_revision=expected)
        .filter(Q(pdf="") | Q(card_pdf="") | ~Q(pdf_revision=F("expected_revision")))
        .order_by("pk")
    )


def expected_pdf_revision(certificate: Certificate) -> str:
    """The revision string a certificate's files must carry: its revision and its type's template."""
    return f"{certificate.revision}.{certificate.type.template_revision}"


def attempts_without_certificate(
    *, since=None, settled_before=None, limit: int | None = None
) -> list:
    """Passed attempts of exams that earn a certificate, for which none was issued yet.

    `settled_before` leaves out attempts submitted after it (their own task
    is probably still on its way).
    """
    from exams import selectors as exam_selectors

    exam_ids = CertificateType.objects.filter(exam__isnull=False).values("exam_id")
    qs = exam_selectors.passed_attempts(since=since)
    if settled_before is not None:
        qs = qs.filter(submitted_at__lt=settled_before)
    qs = qs.filter(exam_id__in=exam_ids).exclude(
        pk__in=Certificate.objects.filter(attempt__isnull=False).values("attempt_id")
    )
    if limit is not None:
        qs = qs[:limit]
    return list(qs)


@dataclass(frozen=True)
class LapsedVisit:
    worker_id: int
    certificate_id: int
    visit_id: int
    confirmed_at: datetime.datetime


def visits_after_certificate_lapse(*, days: int = 90) -> list[LapsedVisit]:
    """Visits of the last `days` confirmed while the worker held no valid certificate,
    though they had held one before (it expired or was revoked): two queries."""
    since = timezone.now() - datetime.timedelta(days=days)
    visits = list(visits_since(since=since))
    if not visits:
        return []
    by_worker: dict[int, list[Certificate]] = {}
    for cert in Certificate.objects.filter(worker_id__in={v.worker_id for v in visits}).only(
        "pk", "worker_id", "issued_on", "expires_on", "revoked_at"
    ):
        by_worker.setdefault(cert.worker_id, []).append(cert)
    found = []
    for visit in visits:
        day = timezone.localdate(visit.confirmed_at)
        held = [c for c in by_worker.get(visit.worker_id, []) if c.issued_on <= day]
        if not held:
            continue  # never certified: not a lapse (other rules see unqualified work)
        valid = [
            c
            for c in held
            if c.expires_on >= day and (c.revoked_at is None or c.revoked_at > visit.confirmed_at)
        ]
        if valid:
            continue
        lapsed = max(held, key=lambda c: (c.expires_on, c.pk))
        found.append(
            LapsedVisit(
                worker_id=visit.worker_id,
                certificate_id=lapsed.pk,
                visit_id=visit.pk,
                confirmed_at=visit.confirmed_at,
            )
        )
    return found


# --- the live code and confirm entry --------------------------------------------


def live_certificate_of_worker(worker) -> Certificate | None:
    """The certificate the worker's live code stands for: the current one valid longest
    (else the newest current one); None when the worker has none (or only revoked ones)."""
    rows = list(
        Certificate.objects.current()
        .filter(worker=worker)
        .select_related("type")
        .order_by("-expires_on", "-pk")
    )
    return rows[0] if rows else None


def certificate_token_by_id(certificate_id: int) -> str | None:
    return Certificate.objects.filter(pk=certificate_id).values_list("token", flat=True).first()


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
