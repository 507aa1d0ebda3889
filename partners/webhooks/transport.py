"""One signed POST to a partner's endpoint, with the standard library's http.client.

The connection goes to the address :func:`addresses.url_check` approved (TLS still
verifies the certificate against the URL's host name), times out after
``TIMEOUT`` seconds per step, and never follows a redirect (a 3xx is a failure).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from . import addresses

TIMEOUT = 5.0
USER_AGENT = "jiazheng-webhooks/1"
#: How much of an error answer is kept on the delivery row.
EXCERPT = 200


@dataclass
class Outcome:
    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class CheckedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a checked address (private receivers only, see ``addresses``)."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.checked_address = address

    def connect(self):
        self.sock = socket.create_connection((self.checked_address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class CheckedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, the certificate verified for the URL's host."""

    def __init__(self, host, port, *, address, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.checked_address = address

    def connect(self):
        sock = socket.create_connection((self.checked_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url`; the HTTP status, or None with the error that prevented one."""
    try:
        scheme, host, port, path = addresses.url_parts(url)
        address = addresses.resolve(host, port)
    except addresses.AddressRefused as refused:
        return Outcome(None, refused.message)
    kind = CheckedHTTPSConnection if scheme == "https" else CheckedHTTPConnection
    connection = kind(host, port, address=address, timeout=TIMEOUT)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT).decode("utf-8", "replace")
        if 200 <= response.status < 300:
            return Outcome(response.status)
        return Outcome(response.status, excerpt)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:EXCERPT])
    finally:
        connection.close()
