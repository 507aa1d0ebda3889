"""A local stand-in for Alibaba Cloud SMS (dysmsapi.aliyuncs.com) and voice
(dyvmsapi.aliyuncs.com, ``SingleCallByTts``) on 127.0.0.1.

It checks each request the way the provider documents it — common parameters,
access key, timestamp, one-time nonce and the HMAC-SHA1 signature, computed here
independently of `lms.sms` — and answers with the provider's JSON. Tests script
the answers (`fake.script.append(...)`) and read what arrived (`fake.requests`).
"""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus

ACCESS_KEY_ID = "LTAI5tFakeKeyId"
ACCESS_KEY_SECRET = "fake-secret-for-tests"
COMMON = (
    "AccessKeyId",
    "Action",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "Signature",
)


def provider_encode(value: str) -> str:
    # The provider's own recipe: form-encode, then %20 for +, %2A for *, ~ for %7E.
    return quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def provider_signature(method: str, params: dict[str, str], secret: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(provider_encode(k) + "=" + provider_encode(v) for k, v in pairs)
    string_to_sign = method + "&" + provider_encode("/") + "&" + provider_encode(query)
    mac = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"Code": code, "Message": message, "HostId": "dysmsapi.aliyuncs.com"}


def business(code: str, message: str) -> tuple[int, dict]:
    """A SendSms refusal: the provider answers those with HTTP 200."""
    return 200, {"Code": code, "Message": message}


THROTTLED = error(400, "Throttling.User", "Request was denied due to user flow control.")


class FakeAliyunSMS:
    #: The action this product answers, and the receipt it gives for one message.
    action = "SendSms"

    def receipt(self) -> dict:
        return {"BizId": f"9{len(self.requests):05d}^0"}

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[tuple[int, dict]] = []
        self.nonces: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                params = dict(parse_qsl(body, keep_blank_values=True))
                status, payload = fake.answer(self.path, dict(self.headers), params)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # noqa: A002 -- http.server's signature
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, headers: dict, params: dict[str, str]) -> tuple[int, dict]:
        status, payload = self.check(path, headers, params)
        return status, {**payload, "RequestId": str(uuid.uuid4()).upper()}

    def check(self, path: str, headers: dict, params: dict[str, str]) -> tuple[int, dict]:
        missing = [name for name in COMMON if not params.get(name)]
        if path != "/" or missing:
            return error(400, "MissingParameter", f"missing {missing} or query on {path}")
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return error(400, "InvalidParameter", "SignatureMethod/SignatureVersion")
        if params["AccessKeyId"] != ACCESS_KEY_ID:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        try:
            # The trailing Z is UTC; strptime's %z would also accept offsets the provider refuses.
            sent = datetime.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            return error(400, "InvalidTimeStamp.Format", "Timestamp")
        if abs((datetime.datetime.now(datetime.UTC) - sent).total_seconds()) > 15 * 60:
            return error(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        if params["SignatureNonce"] in self.nonces:
            return error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self.nonces.add(params["SignatureNonce"])
        expected = provider_signature("POST", params, ACCESS_KEY_SECRET)
        if not hmac.compare_digest(params["Signature"], expected):
            return error(400, "SignatureDoesNotMatch", "Specified signature is not matched.")
        if params["Action"] != self.action or params["Version"] != "2017-05-25":
            return error(404, "InvalidAction.NotFound", "Specified api is not found.")
        self.requests.append(params)
        self.headers.append(headers)
        if self.script:
            return self.script.pop(0)
        return 200, {"Code": "OK", "Message": "OK", **self.receipt()}


class FakeAliyunVoice(FakeAliyunSMS):
    """The voice service: the same signed RPC, ``SingleCallByTts``, a ``CallId`` back."""

    action = "SingleCallByTts"

    def receipt(self) -> dict:
        return {"CallId": f"1345{len(self.requests):04d}^4351232"}
