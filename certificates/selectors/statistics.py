"""Aggregates of certificates over many workers, for the dashboards and their early-warning
rules (owned by the dashboards app).

Superseded rows are left out; what is valid, revoked or expired is
``Certificate.status_on`` / ``CertificateQuerySet`` (certificates/models.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from registry.selectors.visits import visits_since

from ..models import Certificate, CertificateQuerySet

EXPIRY_WINDOWS = (30, 60, 90)


def _not_superseded() -> QuerySet[Certificate]:
    """Certificates not replaced by a reissue or renewal (revoked and expired ones included)."""
    return Certificate.objects.filter(superseded_by__isnull=True)


def _certificates_of(workers: QuerySet) -> QuerySet[Certificate]:
    return _not_superseded().filter(worker__in=workers.values("pk"))


def valid_condition(today: datetime.date, within: QuerySet | None = None) -> Exists:
    """Whether the worker row holds a valid certificate on `today` (`within`: as in
    ``courses.selectors.learning_conditions``)."""
    certificates = Certificate.objects.valid(on=today).filter(worker=OuterRef("pk"))
    if within is not None:
        certificates = certificates.filter(worker__in=within.values("pk"))
    return Exists(certificates)


def holder_figures(today: datetime.date, within: QuerySet | None = None) -> dict:
    """``certified``: the workers holding a valid certificate on `today`, as an
    aggregate over worker rows (a worker with two valid certificates counts once).

    The one definition of "持有效证书": the agency funnel and the certificates panel
    both aggregate this expression, so they agree by construction.
    """
    return {"certified": Count("pk", filter=Q(valid_condition(today, within)))}


def holder_count(workers: QuerySet, *, today=None) -> int:
    """Workers holding a valid certificate (one query)."""
    today = today or timezone.localdate()
    return workers.order_by().aggregate(**holder_figures(today, workers))["certified"]


def annotate_certificate(workers: QuerySet, *, today=None) -> QuerySet:
    """Adds the worker's latest current certificate (number, type, expiry, revoked) and
    ``has_valid_certificate``, as subqueries."""
    today = today or timezone.localdate()
    latest = _not_superseded().filter(worker=OuterRef("pk")).order_by("-issued_on", "-pk")
    return workers.annotate(
        certificate_id=Subquery(latest.values("pk")[:1]),
        certificate_number=Subquery(latest.values("number")[:1]),
        certificate_type=Subquery(latest.values("type__name")[:1]),
        certificate_issued_on=Subquery(latest.values("issued_on")[:1]),
        certificate_expires_on=Subquery(latest.values("expires_on")[:1]),
        certificate_revoked_at=Subquery(latest.values("revoked_at")[:1]),
        has_valid_certificate=valid_condition(today),
    )


def annotated_certificate_status(worker, *, today=None) -> Certificate.Status | str:
    """The status of the certificate :func:`annotate_certificate` put on a worker row, by
    :meth:`Certificate.status_on` without a query; "" for a worker without one."""
    if worker.certificate_id is None:
        return ""
    certificate = Certificate(
        issued_on=worker.certificate_issued_on,
        expires_on=worker.certificate_expires_on,
        revoked_at=worker.certificate_revoked_at,
    )
    return certificate.status_on(today or timezone.localdate())


def _count_aggregates(today: datetime.date) -> dict:
    live = Q(revoked_at__isnull=True)
    aggregates = {
        "valid": Count("pk", filter=CertificateQuerySet.valid_condition(today)),
        "expired": Count("pk", filter=live & Q(expires_on__lt=today)),
        "revoked": Count("pk", filter=Q(revoked_at__isnull=False)),
    }
    for days in EXPIRY_WINDOWS:
        aggregates[f"expiring_{days}"] = Count(
            "pk",
            filter=live
            & Q(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days)),
        )
    return aggregates


def certificate_counts(workers: QuerySet, *, today=None) -> dict[str, int]:
    """Valid, expired, revoked and expiring-within-30/60/90-days current certificates."""
    today = today or timezone.localdate()
    return _certificates_of(workers).aggregate(**_count_aggregates(today))


def certificate_counts_by(workers: QuerySet, fields: list[str], *, today=None) -> list[dict]:
    """The counts of :func:`certificate_counts` per value of `fields` (say the worker's agency
    or the type), in one grouped query; the caller scopes `workers`."""
    today = today or timezone.localdate()
    return list(
        _certificates_of(workers)
        .order_by()
        .values(*fields)
        .annotate(**_count_aggregates(today))
        .order_by(*fields)
    )


def expiring(workers: QuerySet, *, within_days: int, today=None) -> QuerySet[Certificate]:
    """Current, unrevoked certificates expiring within `within_days` or already expired."""
    today = today or timezone.localdate()
    return (
        _certificates_of(workers)
        .filter(
            revoked_at__isnull=True, expires_on__lte=today + datetime.timedelta(days=within_days)
        )
        .select_related("worker", "type")
        .order_by("expires_on", "pk")
    )


def valid_share_by(workers: QuerySet, field: str, *, today=None) -> list[dict]:
    """Per value of `field` (e.g. ``agency_id``): ``workers`` and ``holders`` of a valid
    certificate among them (one query)."""
    today = today or timezone.localdate()
    return list(
        workers.annotate(holds_valid=valid_condition(today))
        .order_by()
        .values(field)
        .annotate(workers=Count("pk"), holders=Count("pk", filter=Q(holds_valid=True)))
        .order_by(field)
    )


def flow_by(workers: QuerySet, field: str, *, since, until, at) -> list[dict]:
    """Per value of `field`: certificates ``issued`` and ``revoked`` within [since, until)
    (dates) and ``valid_at_end``: valid on day `at` (as the rows stand now)."""
    qs = Certificate.objects.filter(worker__in=workers.values("pk"))
    return list(
        qs.order_by()
        .values(field)
        .annotate(
            issued=Count("pk", filter=Q(issued_on__gte=since, issued_on__lt=until)),
            revoked=Count("pk", filter=Q(revoked_at__date__gte=since, revoked_at__date__lt=until)),
            valid_at_end=Count("pk", filter=CertificateQuerySet.held_condition(at)),
        )
        .order_by(field)
    )


@dataclass(frozen=True)
class LapsedVisit:
    """A visit confirmed while the worker's certificates had lapsed, and the one that lapsed last."""

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
