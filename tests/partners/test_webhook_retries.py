"""A failing endpoint is retried with backoff for about a day (5 s, 5 min, 30 min, 2 h,
5 h, 10 h, 10 h), then the delivery is abandoned, the endpoint disabled and audited, and
city regulators get an early warning (which closes when the endpoint is enabled again)."""

import datetime

from django.utils import timezone

import time_machine

from dashboards.models import SupervisionWarning
from dashboards.rules import warnings_evaluate
from lms.audit import audit_entries
from lms.outbox import EventType, change_record
from partners.models import WebhookDelivery
from partners.webhooks import delivery, services

from .conftest import PartnerFactory
from .test_webhook_receiver import pump, receiver  # noqa: F401 - fixtures

EXPECTED = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]


def test_retries_back_off_then_abandon_disable_and_warn(transactional_db, receiver, pump):  # noqa: F811
    receiver.status = 503
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
        pump()
        row = WebhookDelivery.objects.get(endpoint=endpoint)
        waits = []
        while row.status == WebhookDelivery.Status.FAILED:
            assert row.last_status == 503
            waits.append(row.next_attempt_at - row.last_attempt_at)
            # Not due yet: the beat sends nothing.
            pump()
            assert WebhookDelivery.objects.get(pk=row.pk).attempts == row.attempts
            clock.move_to(row.next_attempt_at)
            pump()
            row.refresh_from_db()

    assert waits == EXPECTED
    assert sum(waits, datetime.timedelta()) > datetime.timedelta(hours=27)
    assert row.status == WebhookDelivery.Status.ABANDONED
    assert row.attempts == 8 == len(receiver.received)
    assert len(set(receiver.ids())) == 1  # every attempt carries the same webhook-id
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_for_failures
    assert "503" in endpoint.disabled_reason
    assert audit_entries(endpoint.partner).filter(action="partners.webhook_disable").exists()

    # The warning, then no more sending while disabled.
    warnings_evaluate(rules={SupervisionWarning.Rule.WEBHOOK_DISABLED})
    warning = SupervisionWarning.objects.get(rule=SupervisionWarning.Rule.WEBHOOK_DISABLED)
    assert warning.subject_key == f"webhook:{endpoint.pk}"
    assert warning.status == SupervisionWarning.Status.OPEN
    change_record(EventType.CARD_ISSUED, data={"worker": 2}, worker_id=2)
    pump()
    assert len(receiver.received) == 8

    # Enabled again: the waiting event goes, and the warning closes itself.
    receiver.status = 204
    services.endpoint_enable(endpoint=endpoint)
    pump()
    assert len(receiver.received) == 9
    warnings_evaluate(rules={SupervisionWarning.Rule.WEBHOOK_DISABLED})
    warning.refresh_from_db()
    assert warning.status == SupervisionWarning.Status.RESOLVED


def test_a_redirect_is_a_failure_and_not_followed(transactional_db, receiver, pump):  # noqa: F811
    receiver.status = 302
    services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    pump()
    row = WebhookDelivery.objects.get()
    assert row.status == WebhookDelivery.Status.FAILED and row.last_status == 302
    assert row.attempts == 1 and len(receiver.received) == 1
    assert delivery.RETRY_DELAYS == EXPECTED
