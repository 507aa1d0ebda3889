"""A worker starting (again) sends at once the deliveries whose message was sent before it
started and that are still due: a killed worker's messages would come back from Redis
only after the visibility timeout, and the reconciler's LOST_AFTER is minutes."""

import datetime

from django.core.cache import cache
from django.utils import timezone

from celery.signals import worker_ready

from lms.outbox import EventType, change_record
from partners import tasks
from partners.models import WebhookDelivery
from partners.webhooks import delivery, services, triggers

from .conftest import PartnerFactory
from .test_webhook_receiver import receiver, settle  # noqa: F401 - fixtures


def test_worker_start_resends_what_was_queued_before_it(
    monkeypatch,
    transactional_db,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    cache.set(triggers.KEY, 1, 60)  # only the test sends
    before = change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    settle()
    delivery.fan_out(endpoint.pk)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.webhooks_deliver, "delay", lambda ids: None)  # held by the dead worker
        assert delivery.dispatch() == 1
        started = timezone.now() + datetime.timedelta(microseconds=1)
        change_record(EventType.CARD_ISSUED, data={"worker": 2}, worker_id=2)
        settle()
        delivery.fan_out(endpoint.pk)
        assert delivery.dispatch(now=started + datetime.timedelta(seconds=1)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.webhooks_recover(started.isoformat()) == [0, 1]

    # Only the delivery queued before the worker started is sent again at once; the
    # other one's message may still be waiting in the queue.
    assert receiver.ids() == [f"evt_{before.pk}"]
    statuses = dict(WebhookDelivery.objects.values_list("event_id", "status"))
    assert statuses[before.pk] == WebhookDelivery.Status.DELIVERED
    assert statuses[before.pk + 1] == WebhookDelivery.Status.PENDING


def test_the_worker_ready_signal_asks_for_the_recovery(monkeypatch, db):
    sent = []
    monkeypatch.setattr(tasks.webhooks_recover, "delay", sent.append)
    ahead = timezone.now()
    worker_ready.send(sender=None)
    assert len(sent) == 1
    assert datetime.datetime.fromisoformat(sent[0]) >= ahead
