"""A worker's own record: found by ID number, prefetched for /me/record/, employment, health.

Also the reference lists forms choose from (districts, service categories).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lms.crypto import lookup_hash
from lms.validators import normalize_id_number
from registry.models import District, Employment, Filing, ServiceCategory, Worker


def worker_find_by_id_number(id_number: str) -> Worker | None:
    """The worker with this resident ID number (looked up by its keyed hash), or None."""
    number = normalize_id_number(id_number)
    if not number:
        return None
    return Worker.objects.filter(id_number_hash=lookup_hash(number)).first()


def worker_find_by_card_number(card_number: str) -> Worker | None:
    """The worker holding this card number (家政卡号, one per person), or None."""
    card_number = (card_number or "").strip().upper()
    if not card_number:
        return None
    return Worker.objects.filter(card_number=card_number).first()


def worker_own_record(worker: Worker) -> Worker:
    """The worker with everything their /me/record/ page shows, prefetched."""
    return (
        Worker.objects.select_related("agency", "branch")
        .prefetch_related(
            Prefetch(
                "filings",
                queryset=Filing.objects.select_related("filing_agency").order_by("-pk"),
                to_attr="prefetched_filings",
            ),
            "prefetched_filings__transitions",
            "service_categories",
            Prefetch(
                "employments",
                queryset=Employment.objects.select_related(
                    "agency", "branch", "service_category"
                ).order_by("-start_date", "-pk"),
                to_attr="prefetched_employments",
            ),
            Prefetch("credit_records", to_attr="prefetched_credit_records"),
        )
        .get(pk=worker.pk)
    )


def worker_current_employment(worker: Worker) -> Employment | None:
    """The worker's open employment (at most one), or None."""
    employments = getattr(worker, "prefetched_employments", None)
    if employments is not None:
        return next((e for e in employments if e.end_date is None), None)
    return (
        Employment.objects.select_related("agency", "branch", "service_category")
        .filter(worker=worker, end_date__isnull=True)
        .first()
    )


def worker_employment_history(worker: Worker) -> list[Employment]:
    """Every employment of the worker, newest first (prefetched ones when present)."""
    employments = getattr(worker, "prefetched_employments", None)
    if employments is not None:
        return list(employments)
    return list(
        Employment.objects.select_related("agency", "branch", "service_category")
        .filter(worker=worker)
        .order_by("-start_date", "-pk")
    )


def worker_health_check_valid(worker: Worker, *, today=None) -> bool:
    """Whether the worker's health check is still valid on `today`."""
    today = today or timezone.localdate()
    return bool(worker.health_check_expiry and worker.health_check_expiry >= today)


def district_choices() -> list[tuple[str, str]]:
    """Shanghai's districts as form choices."""
    return list(District.choices)


def service_categories() -> QuerySet[ServiceCategory]:
    """The service categories, in display order."""
    return ServiceCategory.objects.order_by("sort_order", "code")
