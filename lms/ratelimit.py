"""Per-client rate limits for public lookups, answered with django-ratelimit's 429.

Use ``@public_lookup_limit`` on every public lookup view and API endpoint
(``@public_search_limit`` on the site search). The key is the client's
address; behind the reverse proxy the first address of X-Forwarded-For is
the client (set AXES_PROXY_COUNT / trust the proxy only).

Counting follows django-ratelimit, with its own rate, window and key functions
(a fixed window per client, its start spread by the client's address;
``RATELIMIT_ENABLE``; ``Ratelimited``, which
its middleware turns into ``RATELIMIT_VIEW``'s 429). Only the count differs:
on Redis it is one round trip (``lms.cache.RedisCache.count``), where
django-ratelimit's ``add`` then ``incr`` take two on every lookup.
"""

import functools

from django.conf import settings
from django.core.cache import cache

from django_ratelimit import core as ratelimit_core
from django_ratelimit.exceptions import Ratelimited


@functools.lru_cache(maxsize=32)
def _split_rate(rate: str) -> tuple[int, int]:
    """ "60/m" -> (60, 60); "5/10m" -> (5, 600): django-ratelimit's reading of a rate."""
    try:
        return ratelimit_core._split_rate(rate)
    except AttributeError:  # its pattern did not match
        raise ValueError(f"Not a rate: {rate!r} (like 60/m)") from None


def client_ip(group, request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _count(key: str, timeout: int) -> int:
    counter = getattr(cache, "count", None)
    if counter is not None:
        return counter(key, timeout)
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        return 1


def is_over(request, group: str, rate: str) -> bool:
    """Counts this request against the client's budget; whether it is over."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    limit, period = _split_rate(rate)
    value = client_ip(group, request)
    window = ratelimit_core._get_window(value, period)
    key = ratelimit_core._make_cache_key(group, window, rate, value, None)
    return _count(key, period + ratelimit_core.EXPIRATION_FUDGE) > limit


def _limit(setting: str):
    """Per-client limit at the rate the setting names, read at each request (tests change it)."""

    def decorator(fn):
        group = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapped(request, *args, **kwargs):
            limited = is_over(request, group, getattr(settings, setting))
            request.limited = limited or getattr(request, "limited", False)
            if limited:
                raise Ratelimited()
            return fn(request, *args, **kwargs)

        return wrapped

    return decorator


public_lookup_limit = _limit("PUBLIC_LOOKUP_RATE")
#: The portal's site search: full-text queries cost the database more than a page view.
public_search_limit = _limit("PUBLIC_SEARCH_RATE")
