"""Sign-in codes are rate-limited per number and per client, and never tell who is filed."""

import datetime
import re

from django.urls import reverse

import pytest
import time_machine

from lms.accounts import services
from lms.accounts.models import SMSCode
from tests.lms.sms import clear_outbox, messages_to
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

SEND = reverse("accounts:code_send")
START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _empty_outbox():
    clear_outbox()


def send(phone, client_ip="203.0.113.7"):
    return services.sms_code_send(phone=phone, purpose=SMSCode.Purpose.LOGIN, client_ip=client_ip)


def test_one_code_per_number_per_minute_with_the_wait_told():
    with time_machine.travel(START, tick=False) as clock:
        assert send("13700000001").sent
        clock.shift(20)
        refused = send("13700000001")
        assert not refused.sent and refused.wait_seconds == 40
        clock.shift(40)
        assert send("13700000001").sent
    assert len(messages_to("13700000001")) == 2


def test_five_codes_per_number_per_hour():
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert send("13700000002", client_ip=None).sent
            clock.shift(61)
        refused = send("13700000002", client_ip=None)
        assert not refused.sent
        # The first of the five leaves the hour 3,600 s after it was sent.
        assert refused.wait_seconds == 3600 - 5 * 61


def test_ten_codes_per_number_per_day():
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            assert send("13700000003", client_ip=None).sent
            clock.shift(3601)
        assert not send("13700000003", client_ip=None).sent
        clock.shift(86400 - 10 * 3601 + 3601)
        assert send("13700000003", client_ip=None).sent


def test_one_client_cannot_spray_codes_over_many_numbers():
    with time_machine.travel(START, tick=False):
        for n in range(3):
            assert send(f"1370000010{n}").sent
        refused = send("13700000109")
        assert not refused.sent and refused.wait_seconds == 60
        # Another client is not held back by the first one's sends.
        assert send("13700000109", client_ip="198.51.100.4").sent


def test_limits_are_settings(settings):
    settings.SMS_CODE_LIMITS_PER_PHONE = "2/60"
    with time_machine.travel(START, tick=False):
        assert send("13700000004").sent
        assert send("13700000004").sent
        assert not send("13700000004").sent


def _answer(client, phone):
    response = client.post(SEND, {"phone": phone}, follow=True)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, response.redirect_chain, page


def test_filed_and_unknown_numbers_get_the_same_answer(client):
    # Two numbers that mask alike (137****1234): one filed, one not.
    ApprovedWorkerFactory(phone="13700001234")
    with time_machine.travel(START, tick=False):
        filed = _answer(client, "13700001234")
        client.cookies.clear()
        unknown = _answer(client, "13799991234")
    assert filed == unknown
    assert messages_to("13700001234") and messages_to("13799991234")


def test_a_limited_answer_is_the_same_for_filed_and_unknown_numbers(client):
    ApprovedWorkerFactory(phone="13700004321")
    with time_machine.travel(START, tick=False):
        client.post(SEND, {"phone": "13700004321"}, REMOTE_ADDR="192.0.2.1")
        client.post(SEND, {"phone": "13799994321"}, REMOTE_ADDR="192.0.2.2")
        client.cookies.clear()
        filed = _answer(client, "13700004321")
        client.cookies.clear()
        unknown = _answer(client, "13799994321")
    assert "60 秒后再试" in filed[2]
    assert filed == unknown
