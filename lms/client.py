"""The address of the client behind a request: one answer for throttling, rate limits and records.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (nginx in docs/deployment.md),
each proxy appends the address it received the request from to
``X-Forwarded-For``, and the last one is ``REMOTE_ADDR``. So the client is
the entry ``N`` from the right; anything further left was written by the
client itself and proves nothing. With no trusted proxy, ``REMOTE_ADDR`` is
the client and ``X-Forwarded-For`` is ignored.

A few lines rather than django-ipware: ipware prefers public over private
addresses ("best attempt"), so its answer depends on the kind of address,
where this one depends only on how many proxies the deployment says it has.
"""

import ipaddress

from django.conf import settings


def trusted_proxy_count() -> int:
    """How many reverse proxies in front of the application append to X-Forwarded-For."""
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0)))


def client_address(request) -> str:
    """The client's IP address: the entry ``TRUSTED_PROXY_COUNT`` from the right of
    X-Forwarded-For, or ``REMOTE_ADDR`` without proxies. Always a valid address or ""."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxy_count()
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if count == 0 or not forwarded:
        # No proxy, or a request that reached the application without passing one.
        return _valid(remote)
    # Fewer entries than proxies: the request passed only the inner ones, and the
    # leftmost entry is what the first of them saw.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _valid(candidate) or _valid(remote)


def _valid(address: str) -> str:
    # Stored in GenericIPAddressField columns (axes, exam attempts): garbage must not reach them.
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""
