"""Alibaba Cloud SMS backend against a local fake of its HTTP API: request shape and
signature, error codes told in plain Chinese, throttling retried, numbers masked in logs."""

import json
import logging
import socket

from django.utils import translation

import pytest

from lms import sms
from lms.notifications import SMSError, send_sms

from .sms_fake import ACCESS_KEY_ID, ACCESS_KEY_SECRET, THROTTLED, FakeAliyunSMS, business, error

PHONE = "13912345678"
CODE = "684213"


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def fake():
    with FakeAliyunSMS() as server:
        yield server


@pytest.fixture
def aliyun(settings, fake, monkeypatch):
    settings.SMS_BACKEND = "lms.sms.AliyunSMSBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "上海家政"
    settings.ALIYUN_SMS_TEMPLATES = {"login_code": "SMS_465912345"}
    settings.ALIYUN_SMS_ENDPOINT = fake.url
    settings.ALIYUN_SMS_TIMEOUT = 2.0
    settings.ALIYUN_SMS_MAX_ATTEMPTS = 3
    settings.ALIYUN_SMS_RETRY_BACKOFF = 0.5
    pauses: list[float] = []
    monkeypatch.setattr(sms, "sleep", pauses.append)
    return pauses


def send_code():
    send_sms(
        PHONE,
        f"【上海家政】您的验证码是 {CODE}，5 分钟内有效。",
        template="login_code",
        params={"code": CODE},
    )


def test_signature_matches_the_providers_documented_example():
    """The worked example of Alibaba Cloud SMS's signature documentation (GET, testSecret)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert sms.rpc_signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_percent_encoding_is_rfc3986_as_the_signature_requires():
    assert sms.percent_encode("a b*c~d/e+f") == "a%20b%2Ac~d%2Fe%2Bf"
    assert sms.percent_encode("短信") == "%E7%9F%AD%E4%BF%A1"


def test_a_code_is_sent_as_a_signed_sendsms_template_request(aliyun, fake):
    send_code()

    [request] = fake.requests  # the fake accepted its signature, nonce and timestamp
    assert request["Action"] == "SendSms"
    assert request["Version"] == "2017-05-25"
    assert request["Format"] == "JSON"
    assert request["AccessKeyId"] == ACCESS_KEY_ID
    assert request["PhoneNumbers"] == PHONE
    assert request["SignName"] == "上海家政"
    assert request["TemplateCode"] == "SMS_465912345"
    assert json.loads(request["TemplateParam"]) == {"code": CODE}
    assert fake.headers[0]["Content-Type"].startswith("application/x-www-form-urlencoded")


def test_send_returns_the_providers_biz_id(aliyun, fake):
    backend = sms.AliyunSMSBackend()
    biz_id = backend.send(PHONE, "", template="login_code", params={"code": CODE})
    assert biz_id == "900001^0"


def test_a_wrong_secret_is_refused_by_the_signature_check(aliyun, fake, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SMSError) as caught:
        send_code()
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == "短信服务的访问密钥配置有误，请联系平台管理员。"
    assert fake.requests == [] and aliyun == []


def test_an_unknown_access_key_is_told_as_a_configuration_error(aliyun, fake, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI5tNobody"
    with pytest.raises(SMSError) as caught:
        send_code()
    assert caught.value.code == "InvalidAccessKeyId.NotFound"
    assert "访问密钥" in caught.value.message


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"), "手机号码格式不正确，请检查后重试。"),
        (business("isv.BUSINESS_LIMIT_CONTROL", "业务限流"), "发送太频繁，请稍后再试。"),
        (
            business("isv.DAY_LIMIT_CONTROL", "触发日发送限额"),
            "今日短信发送量已达上限，请明天再试。",
        ),
        (
            business("isv.AMOUNT_NOT_ENOUGH", "账户余额不足"),
            "短信服务已暂停（账户余额不足），请联系平台管理员。",
        ),
        (
            business("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法"),
            "短信签名或模板配置有误，请联系平台管理员。",
        ),
        (business("isv.SOMETHING_NEW", "?"), "短信发送失败，请稍后再试。"),
    ],
)
def test_refusals_are_told_in_plain_chinese_and_not_retried(aliyun, fake, answer, message):
    fake.script.append(answer)
    with pytest.raises(SMSError) as caught:
        send_code()
    assert caught.value.message == message
    assert caught.value.code == answer[1]["Code"]
    assert len(fake.requests) == 1 and aliyun == []


def test_throttling_is_retried_after_a_pause_with_a_fresh_nonce(aliyun, fake):
    fake.script.append(THROTTLED)

    send_code()

    assert len(fake.requests) == 2
    first, second = fake.requests
    assert first["SignatureNonce"] != second["SignatureNonce"]
    assert aliyun == [0.5]


def test_throttling_and_outages_give_up_after_the_last_try(aliyun, fake):
    fake.script += [THROTTLED, error(503, "ServiceUnavailable", "busy"), THROTTLED]

    with pytest.raises(SMSError) as caught:
        send_code()

    assert caught.value.code == "Throttling.User"
    assert caught.value.message == "短信服务繁忙，请稍后再试。"
    assert len(fake.requests) == 3
    assert aliyun == [0.5, 1.0]


def test_a_template_key_without_a_code_is_refused_before_calling(aliyun, fake):
    with pytest.raises(SMSError) as caught:
        send_sms(PHONE, "验证码 1", template="change_phone_code", params={"code": "1"})
    assert caught.value.code == "TemplateNotConfigured"
    assert caught.value.message == "短信签名或模板配置有误，请联系平台管理员。"
    assert fake.requests == []


def test_free_text_is_dropped_with_an_error_log_so_older_callers_go_on(aliyun, fake, caplog):
    send_sms(PHONE, "【上海家政】您的证书将于下月到期。")
    assert fake.requests == []
    [record] = caplog.records
    assert record.levelname == "ERROR" and "free text" in record.getMessage()
    assert "139****5678" in record.getMessage()


def test_missing_credentials_are_refused_before_calling(aliyun, fake, settings):
    settings.ALIYUN_SMS_SIGN_NAME = ""
    with pytest.raises(SMSError) as caught:
        send_code()
    assert caught.value.code == "NotConfigured"
    assert fake.requests == []


def test_a_list_of_numbers_is_refused(aliyun, fake):
    with pytest.raises(SMSError) as caught:
        send_sms(f"{PHONE},13800000000", "x", template="login_code", params={"code": CODE})
    assert caught.value.code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert fake.requests == []


def test_an_unreachable_provider_is_one_clear_error_without_retry(aliyun, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{closed_port}/"
    with pytest.raises(SMSError) as caught:
        send_code()
    assert caught.value.code == "NetworkError"
    assert caught.value.message == "短信服务暂时无法连接，请稍后再试。"
    assert aliyun == []


def test_logs_mask_the_number_and_never_show_the_code(aliyun, fake, caplog):
    fake.script += [
        THROTTLED,
        business("isv.MOBILE_NUMBER_ILLEGAL", f"{PHONE} is not a mobile number"),
    ]
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SMSError):
        send_code()  # throttled, then refused with the number in the provider's words
    send_code()  # sent

    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR", "INFO"]
    assert "139****5678" in caplog.text
    assert PHONE not in caplog.text
    assert CODE not in caplog.text
