"""Following the outbox and sending: fan-out, dispatch, one attempt, the reconciler.

* :func:`fan_out` turns every event after an endpoint's cursor into a delivery row
  (bulk, ``ignore_conflicts`` on the first-delivery key), moving the cursor in the
  same transaction, so an event is never skipped nor fanned out twice.
* :func:`dispatch` marks due rows as queued and sends their ids to Celery after commit,
  in small batches per endpoint (``partners.tasks.webhooks_deliver``).
* :func:`attempt_batch` sends one message's deliveries in three short steps: claim
  (one transaction, ``SKIP LOCKED``: the due rows get a :data:`LEASE`, so a second
  message for them passes them by), send (no transaction open, one kept-alive
  connection per endpoint host), record (one transaction, one UPDATE). A 2xx makes a
  row delivered, anything else schedules its next try after :data:`RETRY_DELAYS`, and
  after the last one the delivery is abandoned and its endpoint disabled. A worker
  killed mid-batch loses nothing: once the lease runs out the pump sends the rows again.
* :func:`reconcile` sends again rows queued long ago and still due (the message was
  lost, or the worker died holding it) and fans out every endpoint; a worker starting
  does so at once for rows queued before it (``partners.tasks.webhooks_recover``).
"""

from __future__ import annotations

import datetime
import json
import logging
import time

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
#: How long a claimed attempt holds its rows. Longer than any batch takes: no POST
#: starts after BATCH_BUDGET, and one lasts at most a few TIMEOUTs (transport).
LEASE = datetime.timedelta(seconds=60)
BATCH_BUDGET = datetime.timedelta(seconds=20)
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


def dispatch(*, now=None, queued_before=None, limit=DISPATCH_BATCH):
    """Queue due deliveries (no message sent for this attempt; with `queued_before`,
    those whose message was sent before that moment and which are still due); how many.
    Messages leave after commit."""
    from ..tasks import webhooks_deliver

    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=OPEN,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
        endpoint__partner__is_active=True,
    )
    if queued_before is None:
        due = due.filter(queued_at__isnull=True)
    else:
        due = due.filter(queued_at__lt=queued_before)
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


def dispatch_all(*, lost_after=None, queued_before=None) -> int:
    total = 0
    while True:
        if lost_after is not None:
            queued_before = timezone.now() - lost_after
        sent = dispatch(queued_before=queued_before)
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


def claim(ids: list[int], now) -> list[WebhookDelivery]:
    """Take the due rows among `ids` (rows another worker holds are passed by) for one
    attempt: in a transaction of a few milliseconds they are leased (due again only
    after :data:`LEASE`) and their message marked consumed, so a second message finds
    them not due, and the pump sends them again if this worker dies with them."""
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint__partner", "event")
            .filter(
                pk__in=ids,
                status__in=OPEN,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
                endpoint__partner__is_active=True,
            )
            .order_by("pk")
        )
        if rows:
            WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + LEASE, queued_at=None
            )
    return rows


def send(rows: list[WebhookDelivery], now) -> dict[int, tuple[transport.Outcome, object]]:
    """POST each row, one kept-alive connection per endpoint host, no transaction open;
    {pk: (outcome, when)}. After an endpoint fails to answer at all, its other rows
    wait for its retry; no POST starts once :data:`BATCH_BUDGET` has passed."""
    deadline = time.monotonic() + BATCH_BUDGET.total_seconds()
    secrets: dict[int, list[str]] = {}
    down: set[int] = set()
    outcomes = {}
    with transport.Sender() as sender:
        for row in rows:
            endpoint = row.endpoint
            if endpoint.pk in down or time.monotonic() > deadline:
                continue
            if endpoint.pk not in secrets:
                secrets[endpoint.pk] = endpoint_secrets(endpoint, now)
            msg_id, body = body_of(row)
            timestamp = int(timezone.now().timestamp())
            headers = signing.headers(secrets[endpoint.pk], msg_id, timestamp, body)
            outcome = sender.post(endpoint.url, body, headers)
            outcomes[row.pk] = (outcome, timezone.now())
            if outcome.status is None:
                down.add(endpoint.pk)
    return outcomes


def outcome_apply(row: WebhookDelivery, outcome: transport.Outcome, done) -> None:
    row.attempts += 1
    row.last_attempt_at = done
    row.last_status = outcome.status
    row.last_error = outcome.error[:300]
    row.queued_at = None
    if outcome.ok:
        row.status = WebhookDelivery.Status.DELIVERED
        row.delivered_at = done
        row.next_attempt_at = None
    elif row.attempts >= MAX_ATTEMPTS:
        row.status = WebhookDelivery.Status.ABANDONED
        row.next_attempt_at = None
    else:
        row.status = WebhookDelivery.Status.FAILED
        row.next_attempt_at = done + RETRY_DELAYS[row.attempts - 1]


RECORDED = [
    "attempts",
    "last_attempt_at",
    "last_status",
    "last_error",
    "queued_at",
    "status",
    "delivered_at",
    "next_attempt_at",
]


def record(rows: list[WebhookDelivery], outcomes: dict, now) -> dict[int, str]:
    """Write every outcome in one transaction (one UPDATE); rows not sent are due again:
    now (the budget ran out), or with their endpoint's retry (it did not answer).
    A row another worker took once the lease ran out is left to that worker."""
    leased = now + LEASE
    with transaction.atomic():
        held = set(
            WebhookDelivery.objects.select_for_update(of=("self",))
            .filter(pk__in=[row.pk for row in rows], status__in=OPEN, next_attempt_at=leased)
            .values_list("pk", flat=True)
        )
        retry_at: dict[int, object] = {}
        sent, unsent = [], []
        for row in rows:
            if row.pk not in held:
                continue
            if row.pk in outcomes:
                outcome_apply(row, *outcomes[row.pk])
                sent.append(row)
                if outcomes[row.pk][0].status is None:
                    retry_at.setdefault(row.endpoint_id, row.next_attempt_at)
            else:
                row.next_attempt_at = retry_at.get(row.endpoint_id) or timezone.now()
                unsent.append(row)
        WebhookDelivery.objects.bulk_update(sent, RECORDED)
        WebhookDelivery.objects.bulk_update(unsent, ["next_attempt_at"])
        for row in sent:
            if row.status == WebhookDelivery.Status.ABANDONED:
                from .services import endpoint_disable_for_failures

                endpoint_disable_for_failures(endpoint=row.endpoint, delivery=row)
    return {row.pk: row.status for row in sent}


def attempt_batch(ids: list[int]) -> dict[int, str]:
    """One attempt for each due delivery among `ids`: {pk: its new status}; rows not
    due, held by another worker, or of a disabled endpoint are left out.

    Three short steps rather than one transaction around the POSTs: no row lock and no
    transaction (which would hold the outbox's settled bound back, ``lms.outbox``) lasts
    while a slow endpoint answers; a worker killed in between loses nothing (the lease
    runs out and the pump sends the rows again, at least once, same ``webhook-id``)."""
    now = timezone.now()
    rows = claim(ids, now)
    if not rows:
        return {}
    return record(rows, send(rows, now), now)


def attempt(delivery_id: int) -> str | None:
    """Send one due delivery once; its new status, or None when it was not due, is held by
    another worker, or its endpoint is disabled."""
    return attempt_batch([delivery_id]).get(delivery_id)


def pump() -> tuple[int, int]:
    """Fan out every live endpoint, then queue what is due: (rows written, queued)."""
    return fan_out_all(), dispatch_all()


def reconcile(
    *, lost_after: datetime.timedelta = LOST_AFTER, queued_before=None
) -> tuple[int, int]:
    """Catch up every endpoint's cursor and send again what a lost message left due:
    queued longer than `lost_after` ago, or (a worker starting) before `queued_before`."""
    fanned = fan_out_all()
    if queued_before is not None:
        resent = dispatch_all(queued_before=queued_before)
    else:
        resent = dispatch_all(lost_after=lost_after)
    if resent:
        logger.warning("webhooks: %s deliveries queued again (their message was lost)", resent)
    return fanned, resent + dispatch_all()
