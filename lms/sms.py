"""Alibaba Cloud SMS (短信服务, Dysmsapi ``SendSms``) behind the ``SMS_BACKEND`` seam.

Speaks the documented RPC API over HTTPS with the standard library: form-encoded
POST, ``Format=JSON``, HMAC-SHA1 signature version 1.0
(https://help.aliyun.com/document_detail/101343.html), error codes as listed in
https://help.aliyun.com/document_detail/101346.html. Why not the SDK: see
docs/decisions.md ("SMS through Alibaba Cloud's HTTP API").

Settings: ``ALIYUN_SMS_ACCESS_KEY_ID`` / ``_SECRET``, ``ALIYUN_SMS_SIGN_NAME``,
``ALIYUN_SMS_TEMPLATES`` (template key → approved template code),
``ALIYUN_SMS_ENDPOINT``, ``ALIYUN_SMS_TIMEOUT``, ``ALIYUN_SMS_MAX_ATTEMPTS``,
``ALIYUN_SMS_RETRY_BACKOFF``.
"""

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


def error_message(code: str) -> str:
    return str(ERROR_MESSAGES.get(code, FAILED))


# Module-level so tests can watch the back-off without waiting for it.
sleep = time.sleep


class AliyunSMSBackend:
    """Sends an approved template through ``SendSms``; raises `SMSError` when it cannot.

    Throttling and outages are retried (``ALIYUN_SMS_MAX_ATTEMPTS`` tries in all,
    back-off ``ALIYUN_SMS_RETRY_BACKOFF`` seconds, doubling). Logs name the number
    masked and never the template's parameters (a sign-in code is a secret).
    """

    def __init__(self) -> None:
        self.access_key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.access_key_secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME
        self.templates = settings.ALIYUN_SMS_TEMPLATES
        self.endpoint = settings.ALIYUN_SMS_ENDPOINT
        self.timeout = settings.ALIYUN_SMS_TIMEOUT
        self.max_attempts = max(1, settings.ALIYUN_SMS_MAX_ATTEMPTS)
        self.backoff = settings.ALIYUN_SMS_RETRY_BACKOFF

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str | None = None,
        params: dict[str, str] | None = None,
    ) -> str:
        """Send template `template` with `params` to `phone`; returns the provider's BizId.

        `message` is not sent: the provider only delivers approved templates, so a
        message without a template key is dropped (logged as an error, "" returned)."""
        masked = mask_phone(phone)
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            return self.fail(masked, "NotConfigured", "access key or sign name missing")
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            return self.fail(masked, "NotConfigured", "ALIYUN_SMS_ENDPOINT is not http(s)")
        if template is None:
            # Free text cannot go through the provider. The callers of the older seam
            # (reminders, notices sent after commit) do not expect an exception, so
            # the notice is dropped and the operator told to give it a template.
            logger.error(
                "SMS to %s not sent: free text needs a template key for Alibaba Cloud SMS",
                masked,
            )
            return ""
        template_code = self.templates.get(template)
        if not template_code:
            return self.fail(
                masked, "TemplateNotConfigured", f"no ALIYUN_SMS_TEMPLATES entry for {template!r}"
            )
        phone = phone.strip()
        if not phone or "," in phone:
            # A comma would fan one request out to several numbers.
            return self.fail(masked, "isv.MOBILE_NUMBER_ILLEGAL", "not a single number")
        fields = {"PhoneNumbers": phone, "SignName": self.sign_name, "TemplateCode": template_code}
        if params:
            fields["TemplateParam"] = json.dumps(
                {key: str(value) for key, value in params.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        for attempt in range(1, self.max_attempts + 1):
            answer = self.call("SendSms", fields, masked=masked)
            code = str(answer.get("Code", ""))
            if code == "OK":
                logger.info(
                    "SMS to %s sent (template %s, BizId %s)", masked, template, answer.get("BizId")
                )
                return str(answer.get("BizId", ""))
            if code in RETRY_CODES and attempt < self.max_attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                logger.warning(
                    "SMS to %s: %s, try %d of %d again in %.2f s",
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
        logger.error("SMS to %s not sent: %s %s", masked, code, detail)
        raise SMSError(error_message(code), code=code)

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
