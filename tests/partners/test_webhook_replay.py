"""A replay sends a range again as new delivery rows flagged replay, with the same
webhook-id as the first delivery (partners dedupe by it); it is audited."""

import datetime

from django.utils import timezone

import time_machine

from lms.audit import audit_entries
from lms.outbox import Cursor, EventType, change_record
from partners.models import WebhookDelivery
from partners.webhooks import services

from .conftest import PartnerFactory
from .test_webhook_receiver import pump, receiver  # noqa: F401 - fixtures


def test_a_time_range_is_sent_again_with_the_same_ids(transactional_db, receiver, pump):  # noqa: F811
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    start = timezone.now()
    events = []
    for hour in range(4):
        with time_machine.travel(start + datetime.timedelta(hours=hour)):
            events.append(change_record(EventType.CARD_ISSUED, data={"n": hour}, worker_id=hour))
    pump()
    first = receiver.ids()
    assert first == [f"evt_{e.pk}" for e in events]

    count = services.replay(
        endpoint=endpoint,
        since=start + datetime.timedelta(minutes=30),
        until=start + datetime.timedelta(hours=2, minutes=30),
    )
    pump()

    assert count == 2
    assert receiver.ids()[4:] == first[1:3]
    replays = WebhookDelivery.objects.filter(endpoint=endpoint, replay=True)
    assert {r.event_id for r in replays} == {events[1].pk, events[2].pk}
    assert {r.status for r in replays} == {WebhookDelivery.Status.DELIVERED}
    entry = audit_entries(endpoint.partner).get(action="partners.webhook_replay")
    assert entry.data["events"] == 2


def test_a_cursor_range_is_sent_again(transactional_db, receiver, pump):  # noqa: F811
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    events = [change_record(EventType.DOOR_CHANGED, data={"n": n}) for n in range(5)]
    for event in events:
        event.refresh_from_db()  # its txid, written by the database
    pump()

    services.replay(endpoint=endpoint, after=Cursor.of(events[0]), through=Cursor.of(events[2]))
    pump()

    assert receiver.ids()[5:] == [f"evt_{events[1].pk}", f"evt_{events[2].pk}"]
    # Replayed twice: rows are new each time (first deliveries stay unique).
    services.replay(endpoint=endpoint, after=Cursor.of(events[0]), through=Cursor.of(events[1]))
    pump()
    assert WebhookDelivery.objects.filter(event=events[1], replay=True).count() == 2
    assert WebhookDelivery.objects.filter(event=events[1], replay=False).count() == 1
