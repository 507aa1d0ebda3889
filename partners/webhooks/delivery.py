"""Following the outbox and sending: fan-out, dispatch, one attempt, the reconciler.

* :func:`fan_out` turns every event after an endpoint's cursor into a delivery row
  (bulk, ``ignore_conflicts`` on the first-delivery key), moving the cursor in the
  same transaction, so an event is never skipped nor fanned out twice.
* :func:`dispatch` marks due rows as queued and sends their ids to Celery after commit,
  in small batches per endpoint (``partners.tasks.webhooks_deliver``).
* :func:`attempt` sends one delivery: its row is locked (``SKIP LOCKED``) for the
  attempt, so a second message for it (the reconciler's) passes it by; a 2xx makes it
  delivered, anything else schedules the next try after :data:`RETRY_DELAYS`, and
  after the last one the delivery is abandoned and its endpoint disabled.
* :func:`reconcile` sends again rows queued long ago and still due (the message was
  lost, or the worker died holding it) and fans out every endpoint.
"""

from __future__ import annotations

import datetime
import json
import logging

from django.db import transaction
from django.utils import timezone

from lms import crypto
from lms.outbox import Cursor, event_document, events_after

from ..models import Partner, WebhookDelivery, WebhookEndpoint
from . import signing, transport

logger = logging.getLogger(__name__)

#: The waits after each failed attempt: 8 attempts over about 27.6 hours (5 s, 5 min,
#: 30 min, 2 h, 5 h, 10 h, 10 h), then the delivery is abandoned.
RETRY_DELAYS = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: A queued delivery still due this long after its message was sent is sent again.
LOST_AFTER = datetime.timedelta(minutes=2)
FAN_OUT_BATCH = 1000
DISPATCH_BATCH = 5000
#: Deliveries per Celery message (one endpoint each).
TASK_BATCH = 25
OPEN = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


def endpoint_cursor(endpoint: WebhookEndpoint) -> Cursor:
    return Cursor(endpoint.cursor_txid, endpoint.cursor_id)


def endpoint_agency_id(endpoint: WebhookEndpoint) -> int | None:
    """An agency's own system receives only its agency's events."""
    partner = endpoint.partner
    return partner.agency_id if partner.kind == Partner.Kind.AGENCY else None


def live_endpoints():
    return WebhookEndpoint.objects.filter(is_active=True, partner__is_active=True)


def fan_out(endpoint_id: int, *, batch: int = FAN_OUT_BATCH) -> int:
    """Write a delivery row for every settled event after the endpoint's cursor; how many."""
    total = 0
    while True:
        with transaction.atomic():
            endpoint = (
                live_endpoints()
                .select_for_update(of=("self",))
                .select_related("partner")
                .filter(pk=endpoint_id)
                .first()
            )
            if endpoint is None:
                return total
            events = events_after(
                endpoint_cursor(endpoint),
                types=endpoint.types or None,
                agency_id=endpoint_agency_id(endpoint),
                limit=batch,
            )
            if not events:
                return total
            now = timezone.now()
            WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
                    for event in events
                ],
                ignore_conflicts=True,
            )
            last = Cursor.of(events[-1])
            endpoint.cursor_txid, endpoint.cursor_id = last.txid, last.id
            endpoint.save(update_fields=["cursor_txid", "cursor_id"])
        total += len(events)
        if len(events) < batch:
            return total


def fan_out_all() -> int:
    return sum(fan_out(pk) for pk in live_endpoints().values_list("pk", flat=True))


def dispatch(*, now=None, lost_after: datetime.timedelta | None = None, limit=DISPATCH_BATCH):
    """Queue due deliveries (never queued for this attempt; with `lost_after`, queued
    longer ago than that and still due); how many. Messages leave after commit."""
    from ..tasks import webhooks_deliver

    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=OPEN,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
        endpoint__partner__is_active=True,
    )
    if lost_after is None:
        due = due.filter(queued_at__isnull=True)
    else:
        due = due.filter(queued_at__lt=now - lost_after)
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "endpoint_id")[:limit]
        )
        if not rows:
            return 0
        WebhookDelivery.objects.filter(pk__in=[pk for pk, _e in rows]).update(queued_at=now)
        by_endpoint: dict[int, list[int]] = {}
        for pk, endpoint_id in rows:
            by_endpoint.setdefault(endpoint_id, []).append(pk)
        batches = [
            ids[i : i + TASK_BATCH]
            for ids in by_endpoint.values()
            for i in range(0, len(ids), TASK_BATCH)
        ]
        transaction.on_commit(lambda: [webhooks_deliver.delay(ids) for ids in batches])
    return len(rows)


def dispatch_all(*, lost_after=None) -> int:
    total = 0
    while True:
        sent = dispatch(lost_after=lost_after)
        total += sent
        if sent < DISPATCH_BATCH:
            return total


def endpoint_secrets(endpoint: WebhookEndpoint, now) -> list[str]:
    """The secrets that sign now: the current one, and the previous one for 24 h."""
    found = [crypto.decrypt(endpoint.secret_encrypted)]
    if (
        endpoint.previous_secret_encrypted
        and endpoint.previous_secret_until
        and endpoint.previous_secret_until > now
    ):
        found.append(crypto.decrypt(endpoint.previous_secret_encrypted))
    return found


def body_of(delivery: WebhookDelivery) -> tuple[str, bytes]:
    document = event_document(delivery.event)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return document["id"], body


def attempt(delivery_id: int) -> str | None:
    """Send one due delivery once; its new status, or None when it was not due, is held by
    another worker, or its endpoint is disabled."""
    with transaction.atomic():
        now = timezone.now()
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint__partner", "event")
            .filter(pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        if not (endpoint.is_active and endpoint.partner.is_active):
            return None
        msg_id, body = body_of(delivery)
        timestamp = int(now.timestamp())
        headers = signing.headers(endpoint_secrets(endpoint, now), msg_id, timestamp, body)
        outcome = transport.post(endpoint.url, body, headers)
        done = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = done
        delivery.last_status = outcome.status
        delivery.last_error = outcome.error[:300]
        delivery.queued_at = None
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = done
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.ABANDONED
            delivery.next_attempt_at = None
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = done + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "last_status",
                "last_error",
                "queued_at",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
        if delivery.status == WebhookDelivery.Status.ABANDONED:
            from .services import endpoint_disable_for_failures

            endpoint_disable_for_failures(endpoint=endpoint, delivery=delivery)
    return delivery.status


def pump() -> tuple[int, int]:
    """Fan out every live endpoint, then queue what is due: (rows written, queued)."""
    return fan_out_all(), dispatch_all()


def reconcile(*, lost_after: datetime.timedelta = LOST_AFTER) -> tuple[int, int]:
    """Catch up every endpoint's cursor and send again what a lost message left due."""
    fanned = fan_out_all()
    resent = dispatch_all(lost_after=lost_after)
    if resent:
        logger.warning("webhooks: %s deliveries queued again (their message was lost)", resent)
    return fanned, resent + dispatch_all()
