"""Household trust: service visits and their ratings, as summaries, lists and the rating link.

Stars count once a regulator approved the rating; a household is never named.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from lms.crypto import lookup_hash
from registry.models import ServiceVisit, VisitRating, Worker
from registry.selectors.access import user_sees_all_workers, workers_visible_to
from registry.selectors.common import worker_ids


def _ratings_counted_q(prefix: str = "") -> Q:
    # Stars count once a regulator approved the rating, even a rating without a comment
    # (approved on arrival, as it has no text to hide): one scan of a printed code must not
    # move a worker's public average (3.7 to 3.2) before anyone looked.
    return Q(
        **{
            f"{prefix}rating__status": VisitRating.Status.APPROVED,
            f"{prefix}rating__moderated_at__isnull": False,
        }
    )


def visit_summary_since(*, today=None):
    """The start of the public trace's window: the last 12 months."""
    today = today or timezone.localdate()
    return timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time.min)
    )


@dataclass(frozen=True)
class VisitSummary:
    """A worker's service visits in a window: how many, how many rated, the average of the counted stars."""

    visits: int
    rated: int
    average_rating: float | None


def visit_summary_for_workers(workers, *, since=None, today=None) -> dict[int, VisitSummary]:
    """{worker_id: VisitSummary} over the last 12 months, one query (no household data)."""
    since = since or visit_summary_since(today=today)
    rows = (
        ServiceVisit.objects.filter(worker_id__in=worker_ids(workers), confirmed_at__gte=since)
        .values("worker_id")
        .annotate(**_visit_aggregates())
    )
    return {r["worker_id"]: _visit_summary(r["visits"], r["rated"], r["average"]) for r in rows}


def _visit_aggregates() -> dict:
    """What a visit summary counts over a worker's visits (of ``ServiceVisit`` rows)."""
    counted = _ratings_counted_q()
    return {
        "visits": Count("pk"),
        "rated": Count("pk", filter=counted),
        "average": Avg("rating__stars", filter=counted),
    }


def _visit_summary(visits: int, rated: int, average) -> VisitSummary:
    return VisitSummary(
        visits=visits,
        rated=rated,
        average_rating=round(average, 1) if average is not None else None,
    )


def worker_visit_summary(worker: Worker, *, today=None) -> VisitSummary:
    """One worker's visit summary over the last 12 months (zeros without visits)."""
    return visit_summary_for_workers([worker.pk], today=today).get(
        worker.pk, VisitSummary(visits=0, rated=0, average_rating=None)
    )


#: Approved comments shown per worker on the public trace.
PUBLIC_COMMENTS_SHOWN = 3


def public_comments_for_workers(
    workers, *, limit: int = PUBLIC_COMMENTS_SHOWN, today=None
) -> dict[int, list]:
    """{worker_id: latest approved comments (stars, service date, text)} — never who wrote them.

    One query; at most `limit` comments per worker.
    """
    rows = (
        _public_comments(visit_summary_since(today=today))
        .filter(visit__worker_id__in=worker_ids(workers))
        .values("visit__worker_id", "stars", "comment", "visit__service_date")[:200]
    )
    found: dict[int, list] = {}
    for r in rows:
        items = found.setdefault(r["visit__worker_id"], [])
        if len(items) < limit:
            items.append(_public_comment(r["stars"], r["comment"], r["visit__service_date"]))
    return found


def _public_comments(since) -> QuerySet[VisitRating]:
    """Approved ratings with a comment, on visits confirmed since `since`, newest first."""
    return (
        VisitRating.objects.filter(
            visit__confirmed_at__gte=since, status=VisitRating.Status.APPROVED
        )
        .exclude(comment="")
        .order_by("-created_at", "-pk")
    )


def _public_comment(stars: int, comment: str, date) -> dict:
    return {"stars": stars, "comment": comment, "date": date}


def visit_counts(workers, since=None, until=None) -> dict:
    """{"visits": n, "average_rating": float | None} over `workers` (dashboards contract)."""
    qs = ServiceVisit.objects.filter(worker_id__in=worker_ids(workers))
    if since is not None:
        qs = qs.filter(confirmed_at__gte=_aware(since))
    if until is not None:
        qs = qs.filter(confirmed_at__lt=_aware(until))
    row = qs.aggregate(
        visits=Count("pk"), average=Avg("rating__stars", filter=_ratings_counted_q())
    )
    average = row["average"]
    return {
        "visits": row["visits"],
        "average_rating": round(average, 1) if average is not None else None,
    }


def _aware(value):
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


@dataclass(frozen=True)
class VisitItem:
    """A visit as staff and the worker see it: the household only as a masked contact."""

    visit_id: int
    worker_id: int
    worker: Worker
    confirmed_at: datetime.datetime
    service_date: datetime.date
    district_label: str
    service_label: str
    scanned_via_label: str
    household_label: str
    rating: int | None
    comment: str
    rating_status: str


def _visit_item(visit: ServiceVisit) -> VisitItem:
    rating = getattr(visit, "rating", None) if _has_rating(visit) else None
    return VisitItem(
        visit_id=visit.pk,
        worker_id=visit.worker_id,
        worker=visit.worker,
        confirmed_at=visit.confirmed_at,
        service_date=visit.service_date,
        district_label=str(visit.get_district_display()),
        service_label=visit.service_category.name if visit.service_category_id else "",
        scanned_via_label=str(visit.get_scanned_via_display()),
        household_label=visit.household_label,
        rating=rating.stars if rating and rating.status != VisitRating.Status.REJECTED else None,
        # A comment shows only once a regulator approved it.
        comment=rating.comment if rating and rating.status == VisitRating.Status.APPROVED else "",
        rating_status=rating.status if rating else "",
    )


def _has_rating(visit: ServiceVisit) -> bool:
    try:
        return visit.rating is not None
    except VisitRating.DoesNotExist:
        return False


def _visit_queryset() -> QuerySet[ServiceVisit]:
    return ServiceVisit.objects.select_related("worker", "service_category", "rating").defer(
        "contact_encrypted", "worker__id_number_encrypted"
    )


def service_visits_of_worker(worker, *, limit: int = 200) -> list[VisitItem]:
    """A worker's visits, newest first (dashboards contract; the worker's own page)."""
    worker_id = worker if isinstance(worker, int) else worker.pk
    return [
        _visit_item(v)
        for v in _visit_queryset().filter(worker_id=worker_id).order_by("-confirmed_at")[:limit]
    ]


def latest_ratings(workers, limit: int = 8) -> list[VisitItem]:
    """The latest rated visits of `workers` (dashboards contract), one query."""
    qs = (
        _visit_queryset()
        .filter(worker_id__in=worker_ids(workers), rating__isnull=False)
        .exclude(rating__status=VisitRating.Status.REJECTED)
        .order_by("-rating__created_at", "-pk")[:limit]
    )
    return [_visit_item(v) for v in qs]


def service_visits_visible_to(user) -> QuerySet[ServiceVisit]:
    """Service visits a user may see: those of the workers they may see."""
    qs = _visit_queryset().select_related("worker__agency")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


def visit_ratings_visible_to(user) -> QuerySet[VisitRating]:
    """Ratings a user may see (a regulator: may moderate): of the workers they may see."""
    qs = VisitRating.objects.select_related(
        "visit", "visit__worker", "visit__worker__agency", "visit__service_category", "moderated_by"
    )
    if user_sees_all_workers(user):
        return qs
    return qs.filter(visit__worker__in=workers_visible_to(user).values("pk"))


def ratings_awaiting_moderation(user) -> QuerySet[VisitRating]:
    """Ratings no regulator has decided yet, comment or not: their stars wait to count."""
    return visit_ratings_visible_to(user).filter(moderated_at__isnull=True)


def visit_for_rating_token(token: str) -> ServiceVisit | None:
    """The visit a one-time rating link belongs to, or None (unknown token)."""
    if not token or len(token) > 64:
        return None
    return (
        ServiceVisit.objects.select_related("worker", "service_category", "rating")
        .defer("contact_encrypted")
        .filter(rating_token_hash=lookup_hash(f"rating:{token}"))
        .first()
    )


def visit_has_rating(visit: ServiceVisit) -> bool:
    """Whether the household has already rated this visit."""
    return _has_rating(visit)


def visits_since(*, since) -> QuerySet[ServiceVisit]:
    """Visits confirmed since `since` (for other apps' supervision rules)."""
    return ServiceVisit.objects.filter(confirmed_at__gte=since).only(
        "pk", "worker_id", "confirmed_at", "service_date"
    )
