"""A certificate's records: its status and chain of replacements, a worker's own
certificates, and which certificates a staff login may see."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from registry.selectors.access import user_sees_all_workers, workers_visible_to

from ..models import Certificate, CertificateType


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


def certificate_by_number(number: str) -> Certificate | None:
    """The newest revision of certificate `number` with its type, holder and agency, or
    None (partner systems look a certificate up by its number alone)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        Certificate.objects.select_related("type", "worker__agency", "agency")
        .filter(number=number)
        .order_by("-revision")
        .first()
    )


def certificate_by_token(token: str) -> Certificate | None:
    """The certificate behind a QR token with its type, holder and agency, or None."""
    if not token:
        return None
    return (
        Certificate.objects.select_related("type", "worker__agency", "agency")
        .filter(token=token)
        .first()
    )


def certificate_types_for_exams(exam_ids) -> dict[int, CertificateType]:
    """{exam_id: the certificate type that exam earns}, one query: the oldest type
    when an editor made two for the same exam."""
    types: dict[int, CertificateType] = {}
    for cert_type in CertificateType.objects.filter(exam_id__in=exam_ids).order_by("pk"):
        types.setdefault(cert_type.exam_id, cert_type)
    return types


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


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates a staff login may see: those of ``workers_visible_to(user)``; none for
    an anonymous user."""
    if user is None or not user.is_authenticated:
        return Certificate.objects.none()
    qs = Certificate.objects.select_related("type", "worker", "agency")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


def certificate_visible_to(user, certificate_id: int) -> Certificate | None:
    """Certificate `certificate_id` when the staff login may see it (:func:`certificates_visible_to`),
    else None."""
    return certificates_visible_to(user).filter(pk=certificate_id).first()


def certificates_for_zip(user, *, type_id: int | None = None) -> QuerySet[Certificate]:
    """Current certificates (not revoked, not superseded) a staff login may download together."""
    qs = certificates_visible_to(user).current()
    if type_id:
        qs = qs.filter(type_id=type_id)
    return qs.order_by("worker__name", "number")
