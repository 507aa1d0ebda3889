"""One message's batch: its rows are claimed in one short transaction, sent on one
kept-alive connection per endpoint (no transaction open meanwhile), and every outcome is
written in one more; each row is marked for what happened to it."""

import datetime
import socket

from django.core.cache import cache
from django.utils import timezone

import time_machine

from lms.outbox import EventType, change_record
from partners.models import WebhookDelivery
from partners.webhooks import delivery, services, triggers

from .conftest import PartnerFactory
from .test_webhook_receiver import Receiver, pump, receiver, settle  # noqa: F401 - fixtures

Status = WebhookDelivery.Status


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def keep_alive(found) -> list:
    """The receiver speaks HTTP/1.1; the connections it accepted are listed."""
    accepted = []
    found.server.RequestHandlerClass.protocol_version = "HTTP/1.1"
    found.server.verify_request = lambda request, address: accepted.append(address) or True
    return accepted


def events(count: int) -> None:
    cache.set(triggers.KEY, 1, 60)  # no pump after the commit: the test sends
    for n in range(count):
        change_record(EventType.CARD_ISSUED, data={"worker": n}, worker_id=n)
    settle()
    delivery.fan_out_all()


def test_each_row_is_marked_for_its_own_endpoint(transactional_db, receiver):  # noqa: F811
    accepted = keep_alive(receiver)
    failing = Receiver()
    failing.status = 503
    failing.thread.start()
    try:
        good, _s = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
        busy, _s = services.endpoint_create(partner=PartnerFactory(), url=failing.url)
        down, _s = services.endpoint_create(partner=PartnerFactory(), url=closed_port_url())
        events(3)
        ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))

        statuses = delivery.attempt_batch(ids)
    finally:
        failing.server.shutdown()
        failing.server.server_close()

    rows = {e.pk: list(e.deliveries.order_by("pk")) for e in (good, busy, down)}
    # 200: delivered, the three POSTs on one connection.
    assert [r.status for r in rows[good.pk]] == [Status.DELIVERED] * 3
    assert all(r.attempts == 1 and r.last_status == 200 for r in rows[good.pk])
    assert len(receiver.received) == 3 and len(accepted) == 1
    # 503: each row tried once and failed, retried after 5 s.
    assert len(failing.received) == 3
    for row in rows[busy.pk]:
        assert (row.status, row.attempts, row.last_status) == (Status.FAILED, 1, 503)
        assert row.next_attempt_at - row.last_attempt_at == delivery.RETRY_DELAYS[0]
    # No answer at all: one row tried; the others wait for its retry, no attempt counted.
    first, *rest = rows[down.pk]
    assert (first.status, first.attempts, first.last_status) == (Status.FAILED, 1, None)
    assert "ConnectionRefusedError" in first.last_error
    for row in rest:
        assert (row.status, row.attempts, row.queued_at) == (Status.PENDING, 0, None)
        assert row.next_attempt_at == first.next_attempt_at
    assert statuses == {
        **{r.pk: Status.DELIVERED for r in rows[good.pk]},
        **{r.pk: Status.FAILED for r in rows[busy.pk]},
        first.pk: Status.FAILED,
    }


def test_a_second_message_passes_claimed_rows_by(transactional_db, receiver, pump):  # noqa: F811
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    events(2)
    ids = list(WebhookDelivery.objects.values_list("pk", flat=True))
    now = timezone.now()
    claimed = delivery.claim(ids, now)  # a worker took them, then was killed
    assert len(claimed) == 2
    assert delivery.attempt_batch(ids) == {}
    pump()
    assert receiver.received == []

    # Once the lease runs out the beat's pump sends them again.
    with time_machine.travel(now + delivery.LEASE + datetime.timedelta(seconds=1)):
        pump()
    assert len(receiver.received) == 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.DELIVERED}


def test_rows_a_batch_had_no_time_for_are_due_at_once(
    monkeypatch,
    transactional_db,
    receiver,  # noqa: F811
    pump,  # noqa: F811
):
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    events(2)
    ids = list(WebhookDelivery.objects.values_list("pk", flat=True))
    with monkeypatch.context() as patch:
        patch.setattr(delivery, "BATCH_BUDGET", datetime.timedelta(seconds=-1))
        assert delivery.attempt_batch(ids) == {}
    assert receiver.received == []
    rows = list(WebhookDelivery.objects.all())
    assert all(r.attempts == 0 and r.queued_at is None for r in rows)
    assert all(r.next_attempt_at <= timezone.now() for r in rows)
    pump()
    assert len(receiver.received) == 2


def test_a_delivery_taken_over_after_its_lease_is_left_to_the_new_worker(
    transactional_db,
    receiver,  # noqa: F811
):
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    events(1)
    row = WebhookDelivery.objects.get()
    now = timezone.now()
    slow = delivery.claim([row.pk], now)
    # The lease ran out; another worker took the row and delivered it.
    with time_machine.travel(now + delivery.LEASE + datetime.timedelta(seconds=1)):
        assert delivery.attempt(row.pk) == Status.DELIVERED
    # The slow worker's outcome comes last: it does not overwrite the row.
    outcome = delivery.transport.Outcome(503, "late")
    assert delivery.record(slow, {row.pk: (outcome, timezone.now())}, now) == {}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status) == (Status.DELIVERED, 1, 200)
