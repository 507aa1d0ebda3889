"""Alibaba Cloud SMS (短信服务, Dysmsapi ``SendSms``) and voice calls (语音服务,
Dyvmsapi ``SingleCallByTts``) behind the ``SMS_BACKEND`` and ``VOICE_BACKEND`` seams.

Both speak the documented RPC API over HTTPS with the standard library:
form-encoded POST, ``Format=JSON``, HMAC-SHA1 signature version 1.0
(https://help.aliyun.com/document_detail/101343.html), error codes as listed in
https://help.aliyun.com/document_detail/101346.html (SMS) and
https://help.aliyun.com/document_detail/178344.html (voice). Why not the SDK: see
docs/decisions.md ("SMS through Alibaba Cloud's HTTP API").

Settings: ``ALIYUN_SMS_ACCESS_KEY_ID`` / ``_SECRET``, ``ALIYUN_SMS_SIGN_NAME``,
``ALIYUN_SMS_TEMPLATES`` (template key → approved template code),
``ALIYUN_SMS_ENDPOINT``, ``ALIYUN_SMS_TIMEOUT``, ``ALIYUN_SMS_MAX_ATTEMPTS``,
``ALIYUN_SMS_RETRY_BACKOFF``; for voice ``ALIYUN_VOICE_ACCESS_KEY_ID`` / ``_SECRET``
(the SMS key by default), ``ALIYUN_VOICE_TTS_TEMPLATES`` (template key → approved
TTS template code), ``ALIYUN_VOICE_SHOW_NUMBER`` (blank: the provider's shared
numbers), ``ALIYUN_VOICE_ENDPOINT``; timeouts and retries as for SMS.
"""

import abc
import base64
import datetime
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import NoReturn
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .masking import mask_phone
from .notifications import SMSError

logger = logging.getLogger(__name__)

API_VERSION = "2017-05-25"

# Flow control and outages: the provider sent nothing, so another try after a
# pause is safe. A timeout is not retried: the message may already be on its way.
RETRY_CODES = frozenset({"Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable"})

MISCONFIGURED_KEY = _("短信服务的访问密钥配置有误，请联系平台管理员。")
MISCONFIGURED_TEMPLATE = _("短信签名或模板配置有误，请联系平台管理员。")
OUT_OF_SERVICE = _("短信服务已暂停（账户余额不足），请联系平台管理员。")
BUSY = _("短信服务繁忙，请稍后再试。")
UNREACHABLE = _("短信服务暂时无法连接，请稍后再试。")
FAILED = _("短信发送失败，请稍后再试。")

# The provider's codes (or our own, for checks made before calling it) and what
# the person who asked for the SMS is told; the log keeps the provider's wording.
ERROR_MESSAGES = {
    "isv.MOBILE_NUMBER_ILLEGAL": _("手机号码格式不正确，请检查后重试。"),
    "isv.BUSINESS_LIMIT_CONTROL": _("发送太频繁，请稍后再试。"),
    "isv.DAY_LIMIT_CONTROL": _("今日短信发送量已达上限，请明天再试。"),
    "isv.MONTH_LIMIT_CONTROL": _("本月短信发送量已达上限，请联系平台管理员。"),
    "isv.AMOUNT_NOT_ENOUGH": OUT_OF_SERVICE,
    "isv.OUT_OF_SERVICE": OUT_OF_SERVICE,
    "SignatureDoesNotMatch": MISCONFIGURED_KEY,
    "IncompleteSignature": MISCONFIGURED_KEY,
    "InvalidAccessKeyId.NotFound": MISCONFIGURED_KEY,
    "InvalidAccessKeyId.Inactive": MISCONFIGURED_KEY,
    "InvalidTimeStamp.Expired": MISCONFIGURED_KEY,
    "isp.RAM_PERMISSION_DENY": MISCONFIGURED_KEY,
    "Forbidden.RAM": MISCONFIGURED_KEY,
    "isv.ACCOUNT_NOT_EXISTS": MISCONFIGURED_KEY,
    "isv.ACCOUNT_ABNORMAL": MISCONFIGURED_KEY,
    "isv.PRODUCT_UN_SUBSCRIPT": MISCONFIGURED_KEY,
    "isv.PRODUCT_UNSUBSCRIBE": MISCONFIGURED_KEY,
    "NotConfigured": MISCONFIGURED_KEY,
    "isv.SMS_TEMPLATE_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.SMS_SIGNATURE_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.SMS_SIGN_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.SIGN_STATE_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.TEMPLATE_MISSING_PARAMETERS": MISCONFIGURED_TEMPLATE,
    "isv.TEMPLATE_PARAMS_ILLEGAL": MISCONFIGURED_TEMPLATE,
    "isv.INVALID_JSON_PARAM": MISCONFIGURED_TEMPLATE,
    "isv.PARAM_LENGTH_LIMIT": MISCONFIGURED_TEMPLATE,
    "isv.INVALID_PARAMETERS": MISCONFIGURED_TEMPLATE,
    "TemplateNotConfigured": MISCONFIGURED_TEMPLATE,
    "Throttling": BUSY,
    "Throttling.User": BUSY,
    "Throttling.Api": BUSY,
    "ServiceUnavailable": BUSY,
    "isp.SYSTEM_ERROR": BUSY,
    "NetworkError": UNREACHABLE,
}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature needs it: only A-Z a-z 0-9 - _ . ~ stay,
    a space is %20 (never +), UTF-8 bytes become %XY."""
    return quote(value, safe="")


def rpc_signature(method: str, params: dict[str, str], secret: str) -> str:
    """The base64 HMAC-SHA1 ``Signature`` of an RPC request with these parameters
    (all of them except ``Signature`` itself), keyed with ``secret + "&"``."""
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in sorted(params.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# A voice call's refusals in the words of a call; the rest are as for SMS.
VOICE_MISCONFIGURED_KEY = _("语音服务的访问密钥配置有误，请联系平台管理员。")
VOICE_MISCONFIGURED_TEMPLATE = _("语音模板或外呼号码配置有误，请联系平台管理员。")
VOICE_OUT_OF_SERVICE = _("语音服务已暂停（账户余额不足），请联系平台管理员。")
VOICE_BUSY = _("语音服务繁忙，请稍后再试。")
VOICE_FAILED = _("电话没有打通，请稍后再试，或改用短信验证码。")
# Where an SMS answer names the SMS service, a call's answer names the voice service.
VOICE_WORDING = (
    (MISCONFIGURED_KEY, VOICE_MISCONFIGURED_KEY),
    (MISCONFIGURED_TEMPLATE, VOICE_MISCONFIGURED_TEMPLATE),
    (OUT_OF_SERVICE, VOICE_OUT_OF_SERVICE),
    (BUSY, VOICE_BUSY),
)
VOICE_ERROR_MESSAGES = {
    **{
        code: next((voice for sms, voice in VOICE_WORDING if text is sms), text)
        for code, text in ERROR_MESSAGES.items()
    },
    "isv.BUSINESS_LIMIT_CONTROL": _("来电太频繁，请稍后再试。"),
    "isv.AMOUNT_NOT_ENOUG": VOICE_OUT_OF_SERVICE,
    "isv.TTS_TEMPLATE_ILLEGAL": VOICE_MISCONFIGURED_TEMPLATE,
    "isv.TEMPLATE_ILLEGAL": VOICE_MISCONFIGURED_TEMPLATE,
    "isv.DISPLAY_NUMBER_ILLEGAL": VOICE_MISCONFIGURED_TEMPLATE,
    "isv.BILLID_NOT_EXIST": VOICE_MISCONFIGURED_TEMPLATE,
    "isv.COMPLAINT_REJECT": _("这个号码暂时无法接听平台来电，请改用短信验证码。"),
    "isv.VOICE_CALL_FAIL": VOICE_FAILED,
    "isv.VOICE_ROBOT_NOT_PERIOD": _("现在不能拨打语音电话，请改用短信验证码。"),
    "isv.VOICE_CALL_PERIOD_ERROR": _("现在不能拨打语音电话，请改用短信验证码。"),
}


def error_message(code: str, messages: dict | None = None, failed=FAILED) -> str:
    return str((ERROR_MESSAGES if messages is None else messages).get(code, failed))


# Module-level so tests can watch the back-off without waiting for it.
sleep = time.sleep


class AliyunRPCBackend(abc.ABC):
    """One signed RPC action of an Alibaba Cloud communication product; raises
    `SMSError` when the provider does not take the message.

    Throttling and outages are retried (``max_attempts`` tries in all, back-off
    ``backoff`` seconds, doubling). Logs name the number masked and never the
    template's parameters (a sign-in code is a secret). Subclasses name the
    action, the settings they read and the fields of one request.
    """

    action = ""
    #: How the log names one message: "SMS", "voice call".
    kind = ""
    #: The template keys → the provider's approved codes.
    templates_setting = ""
    messages = ERROR_MESSAGES
    failed = FAILED

    def __init__(self) -> None:
        self.timeout = settings.ALIYUN_SMS_TIMEOUT
        self.max_attempts = max(1, settings.ALIYUN_SMS_MAX_ATTEMPTS)
        self.backoff = settings.ALIYUN_SMS_RETRY_BACKOFF

    def configured(self) -> bool:
        """Whether keys (and what else the product needs) are set."""
        return bool(self.access_key_id and self.access_key_secret)

    @abc.abstractmethod
    def fields(self, phone: str, template_code: str, params: str | None) -> dict[str, str]:
        """The product's own fields of one request (`params`: the template's JSON)."""

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str | None = None,
        params: dict[str, str] | None = None,
    ) -> str:
        """Send template `template` with `params` to `phone`; returns the provider's id.

        `message` is not sent: the provider only delivers approved templates, so a
        message without a template key is dropped (logged as an error, "" returned)."""
        masked = mask_phone(phone)
        if not self.configured():
            return self.fail(masked, "NotConfigured", "access key or sign name missing")
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            return self.fail(masked, "NotConfigured", f"{self.action} endpoint is not http(s)")
        if template is None:
            # Free text cannot go through the provider. The callers of the older seam
            # (reminders, notices sent after commit) do not expect an exception, so
            # the notice is dropped and the operator told to give it a template.
            logger.error(
                "%s to %s not sent: free text needs a template key for Alibaba Cloud",
                self.kind,
                masked,
            )
            return ""
        template_code = self.templates.get(template)
        if not template_code:
            return self.fail(
                masked,
                "TemplateNotConfigured",
                f"no {self.templates_setting} entry for {template!r}",
            )
        phone = phone.strip()
        if not phone or "," in phone:
            # A comma would fan one request out to several numbers.
            return self.fail(masked, "isv.MOBILE_NUMBER_ILLEGAL", "not a single number")
        encoded = None
        if params:
            encoded = json.dumps(
                {key: str(value) for key, value in params.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        fields = self.fields(phone, template_code, encoded)
        for attempt in range(1, self.max_attempts + 1):
            answer = self.call(self.action, fields, masked=masked)
            code = str(answer.get("Code", ""))
            if code == "OK":
                receipt = str(answer.get("BizId") or answer.get("CallId") or "")
                logger.info(
                    "%s to %s sent (template %s, id %s)", self.kind, masked, template, receipt
                )
                return receipt
            if code in RETRY_CODES and attempt < self.max_attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                logger.warning(
                    "%s to %s: %s, try %d of %d again in %.2f s",
                    self.kind,
                    masked,
                    code,
                    attempt + 1,
                    self.max_attempts,
                    delay,
                )
                sleep(delay)
                continue
            # The provider's wording may quote the number; the log keeps it masked.
            detail = str(answer.get("Message", "")).replace(phone, masked)
            return self.fail(masked, code, f"{detail} (request {answer.get('RequestId')})")
        raise AssertionError("unreachable: the last attempt returns or fails")

    def fail(self, masked: str, code: str, detail: str) -> NoReturn:
        logger.error("%s to %s not sent: %s %s", self.kind, masked, code, detail)
        raise SMSError(error_message(code, self.messages, self.failed), code=code)

    def call(self, action: str, fields: dict[str, str], *, masked: str) -> dict:
        """One signed POST; the provider's JSON answer, whatever the HTTP status
        (its common errors such as SignatureDoesNotMatch come with 4xx/5xx)."""
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            **fields,
        }
        params["Signature"] = rpc_signature("POST", params, self.access_key_secret)
        # POST keeps the number and parameters out of proxies' URL logs.
        request = Request(  # noqa: S310 -- the scheme was checked to be http(s) in send()
            self.endpoint,
            data=urlencode(params).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 -- as above
                raw = response.read()
        except HTTPError as error:
            raw = error.read()
        except (URLError, OSError) as error:
            self.fail(masked, "NetworkError", repr(error))
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.fail(masked, "BadResponse", repr(raw[:200]))
        return answer


class AliyunSMSBackend(AliyunRPCBackend):
    """SMS through ``SendSms`` with the approved sign name (签名) and templates."""

    action = "SendSms"
    kind = "SMS"
    templates_setting = "ALIYUN_SMS_TEMPLATES"

    def __init__(self) -> None:
        super().__init__()
        self.access_key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.access_key_secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME
        self.templates = settings.ALIYUN_SMS_TEMPLATES
        self.endpoint = settings.ALIYUN_SMS_ENDPOINT

    def configured(self) -> bool:
        return super().configured() and bool(self.sign_name)

    def fields(self, phone: str, template_code: str, params: str | None) -> dict[str, str]:
        fields = {"PhoneNumbers": phone, "SignName": self.sign_name, "TemplateCode": template_code}
        if params:
            fields["TemplateParam"] = params
        return fields


class AliyunVoiceBackend(AliyunRPCBackend):
    """A voice call reading an approved text-to-speech template (``SingleCallByTts``):
    the alternative for a person whose phone does not get the SMS (#28).

    The code is played twice (``PlayTimes``). Without ``ALIYUN_VOICE_SHOW_NUMBER``
    the provider calls from its shared numbers (公共模式)."""

    action = "SingleCallByTts"
    kind = "voice call"
    templates_setting = "ALIYUN_VOICE_TTS_TEMPLATES"
    messages = VOICE_ERROR_MESSAGES
    failed = VOICE_FAILED
    play_times = 2

    def __init__(self) -> None:
        super().__init__()
        self.access_key_id = settings.ALIYUN_VOICE_ACCESS_KEY_ID
        self.access_key_secret = settings.ALIYUN_VOICE_ACCESS_KEY_SECRET
        self.templates = settings.ALIYUN_VOICE_TTS_TEMPLATES
        self.endpoint = settings.ALIYUN_VOICE_ENDPOINT
        self.show_number = settings.ALIYUN_VOICE_SHOW_NUMBER

    def fields(self, phone: str, template_code: str, params: str | None) -> dict[str, str]:
        fields = {
            "CalledNumber": phone,
            "TtsCode": template_code,
            "PlayTimes": str(self.play_times),
        }
        if self.show_number:
            fields["CalledShowNumber"] = self.show_number
        if params:
            fields["TtsParam"] = params
        return fields
