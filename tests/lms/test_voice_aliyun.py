"""Alibaba Cloud voice calls (SingleCallByTts) against a local fake of the API: the
signed request, the code read from an approved TTS template, refusals told in the
words of a call, throttling retried, numbers masked in logs."""

import json
import logging

from django.utils import translation

import pytest

from lms import sms
from lms.notifications import SMSError, send_voice

from .sms_fake import ACCESS_KEY_ID, ACCESS_KEY_SECRET, THROTTLED, FakeAliyunVoice, business, error

PHONE = "13912345678"
CODE = "684213"


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def fake():
    with FakeAliyunVoice() as server:
        yield server


@pytest.fixture
def aliyun(settings, fake, monkeypatch):
    settings.VOICE_BACKEND = "lms.sms.AliyunVoiceBackend"
    settings.ALIYUN_VOICE_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.ALIYUN_VOICE_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.ALIYUN_VOICE_TTS_TEMPLATES = {"login_code": "TTS_287465123"}
    settings.ALIYUN_VOICE_SHOW_NUMBER = ""
    settings.ALIYUN_VOICE_ENDPOINT = fake.url
    settings.ALIYUN_SMS_TIMEOUT = 2.0
    settings.ALIYUN_SMS_MAX_ATTEMPTS = 3
    settings.ALIYUN_SMS_RETRY_BACKOFF = 0.5
    pauses: list[float] = []
    monkeypatch.setattr(sms, "sleep", pauses.append)
    return pauses


def call():
    send_voice(
        PHONE, f"您的验证码是 {' '.join(CODE)}", template="login_code", params={"code": CODE}
    )


def test_a_call_is_a_signed_tts_request_that_names_no_sign_or_sms_field(aliyun, fake):
    call()
    [request] = fake.requests
    assert request["Action"] == "SingleCallByTts"
    assert request["CalledNumber"] == PHONE
    assert request["TtsCode"] == "TTS_287465123"
    assert json.loads(request["TtsParam"]) == {"code": CODE}
    assert request["PlayTimes"] == "2"
    # Shared numbers (公共模式) unless a show number is set; no SMS fields.
    assert not {"CalledShowNumber", "SignName", "PhoneNumbers", "TemplateCode"} & set(request)


def test_a_show_number_is_sent_when_the_operator_has_one(aliyun, fake, settings):
    settings.ALIYUN_VOICE_SHOW_NUMBER = "02131234567"
    call()
    assert fake.requests[0]["CalledShowNumber"] == "02131234567"


def test_the_call_id_is_returned(aliyun, fake):
    receipt = sms.AliyunVoiceBackend().send(PHONE, "", template="login_code", params={"code": CODE})
    assert receipt == "13450001^4351232"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (business("isv.BUSINESS_LIMIT_CONTROL", "触发流控"), "来电太频繁，请稍后再试。"),
        (business("isv.TTS_TEMPLATE_ILLEGAL", "TTS模板不合法"), "语音模板或外呼号码配置有误"),
        (business("isv.OUT_OF_SERVICE", "业务停机"), "语音服务已暂停"),
        (business("isv.COMPLAINT_REJECT", "防骚扰拦截"), "请改用短信验证码"),
        (error(400, "SignatureDoesNotMatch", "no"), "语音服务的访问密钥配置有误"),
        (business("isv.SOMETHING_NEW", "?"), "电话没有打通"),
    ],
)
def test_refusals_are_told_in_the_words_of_a_call_and_not_retried(aliyun, fake, answer, message):
    fake.script.append(answer)
    with pytest.raises(SMSError) as refused:
        call()
    assert message in refused.value.message
    assert len(fake.requests) == 1 and aliyun == []


def test_throttling_is_retried_after_a_pause(aliyun, fake):
    fake.script.extend([THROTTLED])
    call()
    assert len(fake.requests) == 2 and aliyun == [0.5]
    assert fake.requests[0]["SignatureNonce"] != fake.requests[1]["SignatureNonce"]


def test_a_template_key_without_a_tts_code_is_refused_before_calling(aliyun, fake):
    with pytest.raises(SMSError, match="配置有误"):
        send_voice(PHONE, "", template="change_phone_code", params={"code": CODE})
    assert fake.requests == []


def test_missing_keys_are_refused_before_calling(aliyun, fake, settings):
    settings.ALIYUN_VOICE_ACCESS_KEY_SECRET = ""
    with pytest.raises(SMSError, match="语音服务的访问密钥配置有误"):
        call()
    assert fake.requests == []


def test_the_log_names_the_number_masked_and_never_the_code(aliyun, fake, caplog):
    fake.script.append(business("isv.MOBILE_NUMBER_ILLEGAL", f"{PHONE} illegal"))
    with caplog.at_level(logging.INFO, logger="lms.sms"), pytest.raises(SMSError):
        call()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "voice call to 139****5678" in text
    assert PHONE not in text and CODE not in text
