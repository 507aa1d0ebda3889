"""收不到短信？ A worker whose phone does not get the SMS has the code read aloud by a
voice call, with limits of its own; where the provider offers no calls the option
is not shown (#28)."""

import re

from django.urls import reverse

import pytest
import time_machine

from lms.accounts.models import SMSCode
from tests.lms.sms import clear_outbox, last_code, last_voice_code, messages_to
from tests.registry.factories import ApprovedWorkerFactory, WorkerFactory

pytestmark = pytest.mark.django_db

SEND = reverse("accounts:code_send")
VOICE = reverse("accounts:code_voice")
CODE = reverse("accounts:code_login")
CONFIRM = reverse("accounts:code_confirm")
MY_PHONE = reverse("registry:my_phone")


@pytest.fixture(autouse=True)
def _empty_outbox():
    clear_outbox()


def test_the_code_page_offers_a_call_and_the_called_code_signs_in(client):
    worker = WorkerFactory(phone="13912350001")
    client.post(SEND, {"phone": "13912350001"})
    page = client.get(CODE).content.decode()
    assert VOICE in page and "用电话告诉我验证码" in page
    response = client.post(VOICE, follow=True)
    assert "马上会有电话打给您" in response.content.decode()
    voice_code = last_voice_code("13912350001")
    assert SMSCode.objects.filter(phone="13912350001", channel="voice").count() == 1

    # The call superseded the SMS: only the code read aloud works now.
    sms_code = last_code("13912350001")
    if sms_code != voice_code:
        assert client.post(CODE, {"code": sms_code}).status_code == 400
    response = client.post(CODE, {"code": voice_code})
    assert response.status_code == 302 and response.url == CONFIRM
    response = client.post(CONFIRM, {"id_last4": worker.id_last4})
    assert response.url == "/me/"


def test_calls_have_limits_of_their_own(client, settings):
    settings.VOICE_CODE_LIMITS_PER_PHONE = "1/120,3/3600"
    with time_machine.travel("2026-12-07 10:00:00+08:00", tick=False) as clock:
        client.post(SEND, {"phone": "13912350002"})
        # The SMS just sent does not hold the call back...
        client.post(VOICE)
        assert last_voice_code("13912350002")
        # ...but a second call within two minutes is refused, with the wait told.
        response = client.post(VOICE, follow=True)
        assert re.search(r"电话告知太频繁，请 1\d\d 秒后再试", response.content.decode())
        page = client.get(CODE).content.decode()
        assert "秒后可用电话获取" in page
        clock.shift(121)
        client.post(VOICE)
    assert SMSCode.objects.filter(phone="13912350002", channel="voice").count() == 2
    # Calls do not use up the SMS allowance either: one SMS a minute still goes.
    assert len(messages_to("13912350002")) == 1


def test_a_call_needs_a_number_waiting_for_its_code(client):
    response = client.post(VOICE)
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not SMSCode.objects.exists()


def test_without_a_voice_provider_the_option_is_not_offered(client, settings):
    settings.VOICE_BACKEND = ""
    client.post(SEND, {"phone": "13912350003"})
    page = client.get(CODE).content.decode()
    assert VOICE not in page and "用电话告诉我验证码" not in page
    response = client.post(VOICE, follow=True)
    assert "请使用短信验证码" in response.content.decode()
    assert not SMSCode.objects.filter(channel="voice").exists()


def test_a_provider_refusal_is_told_and_the_page_stays(client, settings):
    settings.VOICE_BACKEND = "lms.sms.AliyunVoiceBackend"
    settings.ALIYUN_VOICE_ACCESS_KEY_ID = ""
    client.post(SEND, {"phone": "13912350004"})
    response = client.post(VOICE, follow=True)
    assert response.status_code == 200
    assert "电话没有打出：语音服务的访问密钥配置有误" in response.content.decode()


def test_a_new_number_can_be_proved_by_a_call(client, settings):
    settings.SMS_CODE_LIMITS_PER_PHONE = "20/60"
    worker = ApprovedWorkerFactory(phone="13912350005")
    client.post(SEND, {"phone": "13912350005"})
    client.post(CODE, {"code": last_code("13912350005")})
    client.post(CONFIRM, {"id_last4": worker.id_last4})
    client.post(MY_PHONE, {"step": "send", "phone": "13912350006"})
    assert "用电话告诉我验证码" in client.get(MY_PHONE).content.decode()
    client.post(MY_PHONE, {"step": "voice"})
    response = client.post(MY_PHONE, {"step": "code", "code": last_voice_code("13912350006")})
    assert response.status_code == 302 and response.url == reverse("registry:my_record")
    worker.refresh_from_db()
    assert worker.phone == "13912350006"
