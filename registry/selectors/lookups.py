"""The public lookups: a worker by card number or name and ID tail, an agency by code or name.

The rows found here go to ``public_record`` before any template sees them.
"""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from lms.validators import normalize_credit_code
from registry.models import Agency, Employment, FilingStatus, Worker
from registry.selectors.common import worker_ids
from registry.selectors.insurance import insurance_dates

#: Filing states a household may see in the public trace lookup.
PUBLIC_WORKER_STATES = (FilingStatus.APPROVED, FilingStatus.WITHDRAWN)


PUBLIC_LOOKUP_LIMIT = 10


def _public_worker_queryset() -> QuerySet[Worker]:
    # One current filing per worker (a unique constraint): its status comes with the
    # row, through the join of the filter (the same filter() call, so one join).
    # The insurance dates are attached after (see worker_trace_lookup): as six
    # subquery annotations they cost 5-10 ms of query building per lookup.
    return (
        Worker.objects.filter(filings__is_current=True, filings__status__in=PUBLIC_WORKER_STATES)
        .annotate(public_filing_status=F("filings__status"))
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "employments",
                queryset=Employment.objects.select_related("agency").order_by("-start_date", "-pk"),
                to_attr="prefetched_employments",
            ),
            Prefetch("credit_records", to_attr="prefetched_credit_records"),
        )
    )


def worker_trace_lookup(
    *, card_number: str = "", name: str = "", id_last4: str = ""
) -> list[Worker]:
    """Registered workers matching a card number, or a full name plus the ID's last 4.

    Returns at most ``PUBLIC_LOOKUP_LIMIT`` workers with their filing status,
    employments (with agencies), credit records and insurance dates (what the
    door status needs), whatever the number of records: four queries for a
    hit, one for a miss.
    """
    card_number = (card_number or "").strip().upper()
    name = (name or "").strip()
    id_last4 = (id_last4 or "").strip().upper()
    qs = _public_worker_queryset()
    if card_number:
        qs = qs.filter(card_number=card_number)
    elif name and len(id_last4) == 4:
        qs = qs.filter(name=name, id_last4=id_last4)
    else:
        return []
    workers = list(qs.order_by("pk")[:PUBLIC_LOOKUP_LIMIT])
    if workers:
        dates = insurance_dates(worker_ids(workers), timezone.localdate())
        for worker in workers:
            _carry_insurance_dates(worker, dates.get(worker.pk, {}))
    return workers


def _carry_insurance_dates(worker: Worker, dates: dict) -> None:
    """Put the insurance dates the door status needs on a worker of the public lookup."""
    worker.door_insurance_until = dates.get("until")
    worker.door_insurance_ended = dates.get("ended")
    worker.door_insurance_starts = dates.get("starts")


def agency_credit_lookup(*, query: str) -> list[Agency]:
    """Agencies matching a credit code exactly, or a name (contains), with filed-worker counts."""
    query = (query or "").strip()
    if not query:
        return []
    code = normalize_credit_code(query)
    qs = Agency.objects.annotate(
        filed_workers=Count(
            "workers",
            filter=Q(
                workers__filings__is_current=True, workers__filings__status=FilingStatus.APPROVED
            ),
            distinct=True,
        )
    ).prefetch_related(Prefetch("credit_records", to_attr="prefetched_credit_records"))
    if len(code) == 18 and code.isalnum():
        qs = qs.filter(credit_code=code)
    elif len(query) >= 2:
        qs = qs.filter(name__icontains=query)
    else:
        return []
    return list(qs.order_by("name", "pk")[:PUBLIC_LOOKUP_LIMIT])


def agency_filed_worker_count(agency: Agency) -> int:
    """How many approved workers the agency has filed (as annotated by the lookup)."""
    if hasattr(agency, "filed_workers"):
        return agency.filed_workers
    return Worker.objects.filter(
        agency=agency, filings__is_current=True, filings__status=FilingStatus.APPROVED
    ).count()
