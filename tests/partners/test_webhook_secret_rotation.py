"""After a rotation both secrets sign for 24 hours: a partner verifies with the old secret
or the new one; after that only the new one verifies."""

import datetime

from django.utils import timezone

import pytest
import time_machine
from standardwebhooks import Webhook, WebhookVerificationError

from lms.outbox import EventType, change_record
from partners.webhooks import services

from .conftest import PartnerFactory
from .test_webhook_receiver import pump, receiver  # noqa: F401 - fixtures


def test_both_secrets_sign_for_a_day_then_only_the_new_one(transactional_db, receiver, pump):  # noqa: F811
    endpoint, old = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")

    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    pump()
    headers, body = receiver.received[-1]
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        change_record(EventType.CARD_ISSUED, data={"worker": 2}, worker_id=2)
        pump()
        headers, body = receiver.received[-1]
        assert len(headers["webhook-signature"].split()) == 1
        Webhook(new).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)


def test_a_tampered_body_does_not_verify(transactional_db, receiver, pump):  # noqa: F811
    _endpoint, secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    pump()
    headers, body = receiver.received[-1]
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"1", b"2"), headers)


def test_the_secret_is_stored_encrypted(transactional_db, receiver):  # noqa: F811
    endpoint, secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    endpoint.refresh_from_db()
    assert secret not in endpoint.secret_encrypted
    assert secret.removeprefix("whsec_") not in endpoint.secret_encrypted
