"""Filings (备案): a worker's current and past filings, transfer requests, the review queue.

Workers from ``workers.worker_own_record`` and the public lookup carry their
related rows as lists (``Prefetch(..., to_attr=...)``); the selectors here
read those when present.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Agency, Filing, FilingStatus, TransferRequest, Worker
from registry.selectors.access import filings_visible_to
from registry.selectors.workers import worker_health_check_valid

#: Filings a reviewer still has to decide (待审核): submitted or under review.
FILINGS_WAITING = (FilingStatus.SUBMITTED, FilingStatus.UNDER_REVIEW)


def filing_next_waiting(*, user, after: Filing) -> Filing | None:
    """The waiting filing that follows `after` in submission order, wrapping round; None if none.

    Going on from `after` (not back to the oldest) lets a reviewer pass over a
    filing they cannot decide yet without being sent back to it.
    """
    waiting = (
        filings_visible_to(user)
        .filter(status__in=FILINGS_WAITING)
        .exclude(pk=after.pk)
        .order_by("submitted_at", "pk")
    )
    later = Q(submitted_at__gt=after.submitted_at) | Q(
        submitted_at=after.submitted_at, pk__gt=after.pk
    )
    return waiting.filter(later).first() or waiting.first()


def worker_filing(worker: Worker) -> Filing | None:
    """The worker's current filing (at most one), or None before one is made."""
    filings = getattr(worker, "prefetched_filings", None)
    if filings is not None:
        return next((f for f in filings if f.is_current), None)
    return Filing.objects.filter(worker=worker, is_current=True).first()


def worker_past_filings(worker: Worker) -> list[Filing]:
    """The worker's earlier filings (with former agencies), newest first: their history."""
    filings = getattr(worker, "prefetched_filings", None)
    if filings is not None:
        past = [f for f in filings if not f.is_current]
        return sorted(past, key=lambda f: (f.submitted_at, f.pk), reverse=True)
    return list(
        Filing.objects.filter(worker=worker, is_current=False)
        .select_related("filing_agency")
        .order_by("-submitted_at", "-pk")
    )


def worker_pending_transfer_requests(worker: Worker) -> list[TransferRequest]:
    """Agencies asking to file this worker while they work elsewhere (the worker's own page)."""
    return list(
        TransferRequest.objects.filter(worker=worker, status=TransferRequest.Status.PENDING)
        .select_related("agency", "branch")
        .order_by("-requested_at", "-pk")
    )


def worker_transfer_request(worker: Worker, pk) -> TransferRequest | None:
    """One of this worker's transfer requests (None when it is not theirs)."""
    return TransferRequest.objects.filter(worker=worker, pk=pk).first()


def worker_filing_status(worker: Worker) -> str | None:
    """The status of the worker's current filing (as annotated by the public lookup), or None."""
    annotated = getattr(worker, "public_filing_status", None)
    if annotated:
        return annotated
    filing = worker_filing(worker)
    return filing.status if filing else None


def worker_is_registered(worker: Worker) -> bool:
    """Approved (已登记) and not withdrawn."""
    return worker_filing_status(worker) == FilingStatus.APPROVED


def workers_ready_for_cards(*, agency: Agency | None = None) -> QuerySet[Worker]:
    """Approved workers without a card yet (for individual or batch issue)."""
    qs = Worker.objects.filter(
        filings__is_current=True, filings__status=FilingStatus.APPROVED, card_number__isnull=True
    ).select_related("agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("pk")


@dataclass(frozen=True)
class FilingNotice:
    """What a signed-in worker whose filing is not yet approved is told on /me/."""

    status: str
    status_label: str
    reason: str
    missing: list[str]


def worker_filing_notice(worker: Worker, *, today=None) -> FilingNotice | None:
    """None once the worker's filing is approved; else its state, the reviewer's words, and gaps.

    Workers may sign in and study before approval; exams wait for it. The gaps
    are what a worker can ask their agency to complete.
    """
    filing = worker_filing(worker)
    if filing is not None and filing.status == FilingStatus.APPROVED:
        return None
    today = today or timezone.localdate()
    missing = []
    if not worker.photo:
        missing.append(_("本人照片"))
    if not worker_health_check_valid(worker, today=today):
        missing.append(_("有效的体检证明"))
    if not worker.service_categories.exists():
        missing.append(_("服务类别"))
    if filing is None:
        return FilingNotice("", _("未提交备案"), "", missing)
    return FilingNotice(filing.status, filing.get_status_display(), filing.reason, missing)
