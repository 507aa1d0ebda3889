"""Complaints about a worker as the worker's full record shows them (#26): what was
complained of, when, and how it ended — never the household's words, contact or the
reply written for that household, which are the complaining household's own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..models import Complaint

#: Complaints shown on a full record (newest first).
SHOWN = 50


@dataclass(frozen=True)
class ComplaintOnRecord:
    number: str
    category_label: str
    received_on: datetime.date
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    closed_on: datetime.date | None

    @property
    def upheld(self) -> bool:
        return self.outcome in (Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY_UPHELD)


def complaints_about_worker(worker_id: int) -> list[ComplaintOnRecord]:
    """The complaints naming the worker, newest first, in one query."""
    rows = (
        Complaint.objects.filter(worker_id=worker_id)
        .only("number", "category", "received_at", "status", "outcome", "closed_at")
        .order_by("-received_at", "-pk")[:SHOWN]
    )
    return [
        ComplaintOnRecord(
            number=row.number,
            category_label=str(row.get_category_display()),
            received_on=timezone.localdate(row.received_at),
            status=row.status,
            status_label=str(row.get_status_display()),
            outcome=row.outcome,
            outcome_label=str(row.get_outcome_display()) if row.outcome else "",
            closed_on=timezone.localdate(row.closed_at) if row.closed_at else None,
        )
        for row in rows
    ]
