"""Where webhooks may go: public HTTPS addresses only (no SSRF into the platform's network).

A URL is checked when it is registered and again at every send, on the addresses its
host resolves to then (DNS can change); the connection is then made to the address
that was checked, never resolved a second time. ``PARTNER_WEBHOOKS_ALLOW_PRIVATE`` lets
an endpoint point at private, loopback and link-local addresses (a partner inside the
government network; the tests' and benchmarks' local receiver), and there plain
``http`` is accepted too, since such a receiver rarely holds a public certificate.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(Exception):
    """The URL may not receive webhooks; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allow_private() -> bool:
    return bool(getattr(settings, "PARTNER_WEBHOOKS_ALLOW_PRIVATE", False))


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a webhook URL; AddressRefused when it
    is not an absolute https URL (http too where private addresses are allowed)."""
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if allow_private() else ("https",)
    if parts.scheme not in allowed:
        raise AddressRefused(_("推送地址必须以 https:// 开头。"))
    if not parts.hostname or parts.username or parts.password:
        raise AddressRefused(_("推送地址不完整，或含有用户名、密码。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(_("推送地址的端口无效。")) from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def resolve(host: str, port: int) -> str:
    """An address `host` resolves to now, checked; AddressRefused when it does not resolve
    or any of its addresses is not public (unless private addresses are allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(_("推送地址的域名无法解析。")) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise AddressRefused(_("推送地址的域名无法解析。"))
    if not allow_private() and not all(is_public(a) for a in addresses):
        raise AddressRefused(_("推送地址指向内网、本机或保留地址，不能接收推送。"))
    return addresses[0]


def url_check(url: str) -> str:
    """The address `url` would be sent to now (raises AddressRefused)."""
    _scheme, host, port, _path = url_parts(url)
    return resolve(host, port)
