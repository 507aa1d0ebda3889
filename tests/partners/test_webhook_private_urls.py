"""Webhook URLs must be public HTTPS addresses: refused at registration and at send time
(a name that resolves to a private address later is not sent to)."""

import socket

import pytest

from lms.outbox import EventType, change_record
from partners.models import WebhookDelivery
from partners.webhooks import addresses, services

from .conftest import PartnerFactory
from .test_webhook_receiver import pump, receiver  # noqa: F401 - fixtures


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.5/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://0.0.0.0/hooks",
        "https://user:pw@93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
    ],
)
def test_private_or_plain_urls_are_refused(transactional_db, settings, url):
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(services.WebhookRefused):
        services.endpoint_create(partner=PartnerFactory(), url=url)


def test_a_public_https_address_is_accepted(transactional_db, settings, monkeypatch):
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
        ],
    )
    endpoint, _secret = services.endpoint_create(
        partner=PartnerFactory(), url="https://hooks.partner.example/in"
    )
    assert endpoint.pk


def test_a_name_that_turns_private_is_not_sent_to(
    transactional_db,
    receiver,  # noqa: F811
    pump,  # noqa: F811
    settings,
    monkeypatch,  # noqa: F811
):
    endpoint, _secret = services.endpoint_create(partner=PartnerFactory(), url=receiver.url)
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = False
    change_record(EventType.CARD_ISSUED, data={"worker": 1}, worker_id=1)
    pump()
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert receiver.received == []
    assert row.status == WebhookDelivery.Status.FAILED and row.last_status is None
    assert "https" in row.last_error or "内网" in row.last_error


def test_is_public():
    assert addresses.is_public("93.184.215.14")
    assert not addresses.is_public("100.64.0.1")  # carrier-grade NAT
    assert not addresses.is_public("::ffff:127.0.0.1")
