"""The registry's facts behind a worker's door colour (dates and standing, not the verdict).

The rule that turns them into a colour lives in ``certificates.door``;
``workers_door_status`` asks it through the ``registry_worker_door_status`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from registry.models import CreditRecord, Filing, Worker
from registry.selectors.common import worker_ids
from registry.selectors.credit import active_credit_records_q, standing_from_records
from registry.selectors.insurance import insurance_dates


@dataclass(frozen=True)
class DoorFacts:
    """What the registry knows that decides a worker's door colour (dates, not verdicts)."""

    worker_id: int
    filing_status: str | None
    health_check_expiry: object  # date | None
    insurance_until: object  # end of the insurance covering today, or None
    insurance_ended: object  # end of the last insurance that ended before today, or None
    insurance_starts: object  # start of an insurance not begun yet, or None
    standing_level: str
    standing_label: str


def _annotated_for_door(workers) -> bool:
    """Workers from the public lookup carry everything the door facts need (no query)."""
    return (
        not isinstance(workers, QuerySet)
        and bool(workers)
        and all(
            isinstance(w, Worker)
            and hasattr(w, "door_insurance_until")
            and hasattr(w, "public_filing_status")
            and hasattr(w, "prefetched_credit_records")
            for w in workers
        )
    )


def door_facts_for_workers(workers, *, today=None) -> dict[int, DoorFacts]:
    """{worker_id: DoorFacts} for many workers in three queries, whatever their number
    (none for workers from the public lookup, which come annotated)."""
    today = today or timezone.localdate()
    if _annotated_for_door(workers):
        facts = {}
        for w in workers:
            standing = standing_from_records(w.prefetched_credit_records, today=today)
            facts[w.pk] = DoorFacts(
                worker_id=w.pk,
                filing_status=w.public_filing_status,
                health_check_expiry=w.health_check_expiry,
                insurance_until=w.door_insurance_until,
                insurance_ended=w.door_insurance_ended,
                insurance_starts=w.door_insurance_starts,
                standing_level=standing.level,
                standing_label=standing.label,
            )
        return facts
    ids = worker_ids(workers)
    rows = list(
        Worker.objects.filter(pk__in=ids)
        .annotate(
            door_filing_status=Subquery(
                Filing.objects.filter(worker=OuterRef("pk"), is_current=True).values("status")[:1]
            )
        )
        .values_list("pk", "door_filing_status", "health_check_expiry")
    )
    insurance = insurance_dates(ids, today)
    records: dict[int, list] = {}
    for record in CreditRecord.objects.filter(worker_id__in=ids).filter(
        active_credit_records_q(today)
    ):
        records.setdefault(record.worker_id, []).append(record)
    facts = {}
    for pk, filing_status, health_expiry in rows:
        standing = standing_from_records(records.get(pk, []), today=today)
        ins = insurance.get(pk, {})
        facts[pk] = DoorFacts(
            worker_id=pk,
            filing_status=filing_status,
            health_check_expiry=health_expiry,
            insurance_until=ins.get("until"),
            insurance_ended=ins.get("ended"),
            insurance_starts=ins.get("starts"),
            standing_level=standing.level,
            standing_label=standing.label,
        )
    return facts


def worker_door_facts(worker: Worker, *, today=None) -> DoorFacts | None:
    """The door facts of one worker, or None when there is no such worker."""
    return door_facts_for_workers([worker.pk], today=today).get(worker.pk)


def worker_door_status(worker: Worker):
    """The door status of one worker from whichever app registered the hook, or None.

    The registry cannot compute the colour alone (certificates are a higher
    app); the certificates app registers ``registry_worker_door_status``.
    """
    statuses = workers_door_status([worker])
    return statuses.get(worker.pk) if statuses else None


def workers_door_status(workers) -> dict | None:
    """{worker_id: door status} through the ``registry_worker_door_status`` hook, or None."""
    from wagtail import hooks

    for fn in hooks.get_hooks("registry_worker_door_status"):
        return fn(workers)
    return None
