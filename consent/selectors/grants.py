"""Requests, grants and the view log as the worker, the asking household and the agency see them."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from consent.models import ConsentGrant, ConsentRequest, RequestPause, ViewerKind, WorkerView
from consent.services import keyed_hash

#: How many view records /me/views/ shows (newest first).
VIEWS_SHOWN = 200


def request_state(consent: ConsentRequest, *, now=None) -> str:
    """ "pending", "approved", "refused" or "expired" (a pending request past its time)."""
    now = now or timezone.now()
    if consent.status == ConsentRequest.Status.PENDING and consent.expires_at <= now:
        return "expired"
    return consent.status


def pending_requests_for_worker(worker, *, now=None) -> list[ConsentRequest]:
    """The worker's requests still waiting for an answer, newest first."""
    now = now or timezone.now()
    return list(
        ConsentRequest.objects.filter(
            worker=worker, status=ConsentRequest.Status.PENDING, expires_at__gt=now
        ).order_by("-created_at", "-pk")
    )


def inbox_version(requests: list[ConsentRequest], paused) -> str:
    """A short fingerprint of what the worker's inbox shows: the page redraws when it changes."""
    return ".".join(str(r.pk) for r in requests) + ("|p" if paused else "")


def open_grants_for_worker(worker, *, now=None) -> list[ConsentGrant]:
    """The worker's grants still open (not ended, not expired), newest first."""
    now = now or timezone.now()
    return list(
        ConsentGrant.objects.filter(worker=worker, ended_at__isnull=True, expires_at__gt=now)
        .only("pk", "viewer_label", "viewer_kind", "created_at", "expires_at", "worker_id")
        .order_by("-created_at", "-pk")
    )


def pause_of_worker(worker, *, now=None) -> datetime.datetime | None:
    """Until when the worker refuses all requests, or None."""
    now = now or timezone.now()
    return (
        RequestPause.objects.filter(worker=worker, until__gt=now)
        .values_list("until", flat=True)
        .first()
    )


def views_for_worker(worker, *, limit: int = VIEWS_SHOWN) -> list[WorkerView]:
    """Who viewed the worker's information, newest first (one query)."""
    return list(
        WorkerView.objects.filter(worker=worker)
        .only("pk", "kind", "viewer_label", "viewed_at", "reported_at", "worker_id")
        .order_by("-viewed_at", "-pk")[:limit]
    )


def request_for_browser(secret: str) -> ConsentRequest | None:
    """The request the browser holding `secret` made (its cookie), or None."""
    if not secret:
        return None
    return (
        ConsentRequest.objects.select_related("worker")
        .filter(browser_hash=keyed_hash("browser", secret))
        .first()
    )


def agency_requests(user, *, limit: int = 20) -> list[ConsentRequest]:
    """The requests this staff account made, newest first, with their grants."""
    return list(
        ConsentRequest.objects.filter(viewer_kind=ViewerKind.AGENCY, requested_by=user)
        .select_related("worker", "grant")
        .order_by("-created_at", "-pk")[:limit]
    )


def agency_request(user, request_id: int) -> ConsentRequest | None:
    """One of this staff account's own requests, or None (someone else's: None too)."""
    return (
        ConsentRequest.objects.filter(
            pk=request_id, viewer_kind=ViewerKind.AGENCY, requested_by=user
        )
        .select_related("grant")
        .first()
    )


def agency_grant(user, grant_id: int, *, now=None) -> ConsentGrant | None:
    """An open grant given to this staff account, or None: ended, expired or not theirs."""
    now = now or timezone.now()
    return (
        ConsentGrant.objects.filter(
            pk=grant_id,
            viewer_kind=ViewerKind.AGENCY,
            user=user,
            ended_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("worker", "agency")
        .first()
    )


def reported_views_since(since) -> QuerySet[WorkerView]:
    """Views their workers reported as not recognised since `since`, with worker and agency."""
    return (
        WorkerView.objects.filter(reported_at__gte=since)
        .select_related("worker", "worker__agency")
        .order_by("reported_at", "pk")
    )
