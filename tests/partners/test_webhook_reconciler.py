"""A delivery whose Celery message was lost (a pending row, no task ever sent) or whose
worker died mid-attempt is sent again by the reconciler; a cursor left behind is caught up."""

import datetime

from django.core.cache import cache
from django.utils import timezone

import time_machine

from lms.outbox import EventType, change_record
from partners.models import WebhookDelivery
from partners.tasks import webhooks_deliver, webhooks_reconcile
from partners.webhooks import delivery, services, triggers

from .conftest import PartnerFactory
from .test_webhook_receiver import pump, receiver, settle  # noqa: F401 - fixtures


def test_a_lost_message_is_sent_again(
    monkeypatch,
    transactional_db,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,  # noqa: F811
):
    endpoint, secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    cache.set(triggers.KEY, 1, 60)  # no pump asked after the commit: only the beat sends
    event = change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    settle()
    # Fanned out and queued, but the message never reached a worker (callbacks dropped).
    delivery.fan_out(endpoint.pk)
    with monkeypatch.context() as patch:
        patch.setattr(webhooks_deliver, "delay", lambda ids: None)  # the message is lost
        assert delivery.dispatch() == 1
    row = WebhookDelivery.objects.get()
    assert row.queued_at is not None and row.status == WebhookDelivery.Status.PENDING

    # Too early: the message may still be in the queue.
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_reconcile()
    assert receiver.received == []

    later = timezone.now() + delivery.LOST_AFTER + datetime.timedelta(seconds=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        webhooks_reconcile()
    row.refresh_from_db()
    assert row.status == WebhookDelivery.Status.DELIVERED
    assert receiver.ids() == [f"evt_{event.pk}"]


def test_a_row_written_without_any_message_is_sent(transactional_db, receiver, pump):  # noqa: F811
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    cache.set(triggers.KEY, 1, 60)  # only the beat sends
    event = change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=timezone.now())
    pump()
    assert receiver.ids() == [f"evt_{event.pk}"]
    # The fan-out met the row already written: no second first delivery.
    assert WebhookDelivery.objects.count() == 1


def test_a_second_message_for_a_delivered_row_sends_nothing(transactional_db, receiver, pump):  # noqa: F811
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    pump()
    row = WebhookDelivery.objects.get()
    assert delivery.attempt(row.pk) is None
    assert len(receiver.received) == 1


def test_the_reconciler_catches_up_a_cursor(
    transactional_db,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,  # noqa: F811
):
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    events = [change_record(EventType.DOOR_CHANGED, data={"n": n}) for n in range(3)]
    settle()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_reconcile()
    assert receiver.ids() == [f"evt_{e.pk}" for e in events]
