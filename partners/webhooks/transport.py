"""Signed POSTs to partners' endpoints, with the standard library's http.client.

The connection goes to the address :func:`addresses.url_check` approved (TLS still
verifies the certificate against the URL's host name), times out after
``TIMEOUT`` seconds per step, and never follows a redirect (a 3xx is a failure).
A :class:`Sender` keeps one HTTP/1.1 connection alive per endpoint host for a batch
(a handshake per batch, not per delivery); a kept connection the server had closed
is opened again once, before the request is taken as failed.
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


#: Errors of a kept connection the server closed while it sat idle: the request is
#: sent once more on a new connection.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def exchange(connection: http.client.HTTPConnection, path: str, body: bytes, headers) -> Outcome:
    connection.request(
        "POST",
        path,
        body=body,
        headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    response = connection.getresponse()
    excerpt = response.read(EXCERPT).decode("utf-8", "replace")
    # The rest of a short answer is read so that the connection serves the next POST.
    rest = response.read(DRAIN) if not response.isclosed() else b""
    if not response.isclosed() or len(rest) >= DRAIN:
        connection.close()
    if 200 <= response.status < 300:
        return Outcome(response.status)
    return Outcome(response.status, excerpt)


#: At most this much of an answer is read past the excerpt to keep its connection.
DRAIN = 64 * 1024


class Sender:
    """POSTs of one batch, one kept-alive connection per endpoint host; closes them at
    the end (``with Sender() as sender``)."""

    def __init__(self):
        self.connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def connection(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        if key not in self.connections:
            address = addresses.resolve(host, port)
            kind = CheckedHTTPSConnection if scheme == "https" else CheckedHTTPConnection
            self.connections[key] = kind(host, port, address=address, timeout=TIMEOUT)
        return self.connections[key]

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        """POST `body` to `url`; the HTTP status, or None with the error that prevented one."""
        try:
            scheme, host, port, path = addresses.url_parts(url)
            connection = self.connection(scheme, host, port)
        except addresses.AddressRefused as refused:
            return Outcome(None, refused.message)
        kept = connection.sock is not None
        try:
            try:
                return exchange(connection, path, body, headers)
            except STALE:
                connection.close()
                if not kept:
                    raise
                return exchange(connection, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:EXCERPT])


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """One POST on a connection of its own."""
    with Sender() as sender:
        return sender.post(url, body, headers)
