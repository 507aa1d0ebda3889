"""A real HTTP receiver (http.server in a thread) gets signed POSTs, verified as a partner
would with the ``standardwebhooks`` package. Its fixture serves the other webhook tests."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection
from django.db.models import Max

import pytest
from standardwebhooks import Webhook

from lms import outbox
from lms.models import ChangeEvent
from lms.outbox import EventType, change_record
from partners.models import WebhookDelivery
from partners.webhooks import delivery, services

from .conftest import PartnerFactory


class Receiver:
    """Records every POST (headers, body) and answers `status`."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _body in self.received]


def settle() -> None:
    """Wait (PostgreSQL) until every event written is settled: transactions of other
    sessions on the server that began before it have ended (lms.outbox)."""
    if connection.vendor != "postgresql":
        return
    last = ChangeEvent.objects.aggregate(last=Max("txid"))["last"]
    for _try in range(400):
        if last is None or outbox.head().txid >= last:
            return
        time.sleep(0.05)


@pytest.fixture
def pump(django_capture_on_commit_callbacks):
    """`pump()`: the beat's fan-out and dispatch, its Celery messages run (eagerly)."""

    def run():
        settle()
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.pump()

    return run


@pytest.fixture
def receiver(settings):
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = True
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_the_receiver_gets_signed_posts_a_partner_verifies(transactional_db, receiver, pump):  # noqa: F811
    partner = PartnerFactory()
    endpoint, secret = services.endpoint_create(partner=partner, url=receiver.url)
    event = change_record(EventType.CARD_ISSUED, data={"worker": 7}, worker_id=7, agency_id=3)
    change_record(EventType.DOOR_CHANGED, data={"worker": 7, "door": "green"}, worker_id=7)

    pump()

    assert receiver.ids() == [f"evt_{event.pk}", f"evt_{event.pk + 1}"]
    for headers, body in receiver.received:
        payload = Webhook(secret).verify(body, headers)
        assert payload["id"] == headers["webhook-id"]
        assert headers["content-type"] == "application/json"
    first = json.loads(receiver.received[0][1])
    assert first["type"] == EventType.CARD_ISSUED
    assert first["data"] == {"worker": 7}
    rows = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {r.status for r in rows} == {WebhookDelivery.Status.DELIVERED}
    assert all(r.attempts == 1 and r.last_status == 200 for r in rows)


def test_events_before_the_endpoint_existed_are_not_sent(transactional_db, receiver, pump):  # noqa: F811
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    settle()
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)

    pump()

    assert receiver.received == []


def test_only_subscribed_types_are_sent(transactional_db, receiver, pump):  # noqa: F811
    services.endpoint_create(
        partner=PartnerFactory(), url=receiver.url, event_types=[EventType.DOOR_CHANGED]
    )
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    door = change_record(EventType.DOOR_CHANGED, data={"worker": 1}, worker_id=1)

    pump()

    assert receiver.ids() == [f"evt_{door.pk}"]
