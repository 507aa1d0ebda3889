"""Work the certificate jobs still have to do: reminders due, files to (re)render, passed
attempts without their certificate."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Q, QuerySet, Value

from ..models import Certificate, CertificateType


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
