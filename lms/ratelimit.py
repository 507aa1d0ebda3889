"""Per-client rate limits for public lookups, answered with django-ratelimit's 429.

Use ``@public_lookup_limit`` on every public lookup view and API endpoint
(``@public_search_limit`` on the site search). The key is the client's
address as ``lms.client.client_address`` resolves it behind
``TRUSTED_PROXY_COUNT`` proxies, so a forged X-Forwarded-For changes nothing.

Counting follows django-ratelimit, with its own rate, window and key functions
(a fixed window per client, its start spread by the client's address;
``RATELIMIT_ENABLE``; ``Ratelimited``, which
its middleware turns into ``RATELIMIT_VIEW``'s 429). Only the count differs:
on Redis it is one round trip (``lms.cache.RedisCache.count``), where
django-ratelimit's ``add`` then ``incr`` take two on every lookup.

When the cache fails (Redis down), each process counts on its own in its
memory, with a warning in the log at most once a minute: the limits hold
per process, and the site never answers 500 or 429 for a missing cache.
"""

import functools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from django_ratelimit import core as ratelimit_core
from django_ratelimit.exceptions import Ratelimited

from .client import client_address

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=32)
def _split_rate(rate: str) -> tuple[int, int]:
    """ "60/m" -> (60, 60); "5/10m" -> (5, 600): django-ratelimit's reading of a rate."""
    try:
        return ratelimit_core._split_rate(rate)
    except AttributeError:  # its pattern did not match
        raise ValueError(f"Not a rate: {rate!r} (like 60/m)") from None


#: Where a process counts while the shared cache fails.
_fallback = LocMemCache("lms-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
#: After a failure the shared cache is left alone this long: an unreachable Redis
#: would otherwise cost every lookup a connection timeout.
_PAUSE_SECONDS = 5
_WARN_EVERY_SECONDS = 60
_paused_until = 0.0
_last_warning = 0.0


def _count_in(store, key: str, timeout: int) -> int:
    counter = getattr(store, "count", None)
    if counter is not None:
        return counter(key, timeout)
    if store.add(key, 1, timeout):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired between the two calls
        return 1


def _count(key: str, timeout: int) -> int:
    if time.monotonic() < _paused_until:
        return _count_in(_fallback, key, timeout)
    try:
        return _count_in(cache, key, timeout)
    except Exception as exc:  # whatever the backend raises (redis, OSError), the site stays up
        _cache_failed(exc)
        return _count_in(_fallback, key, timeout)


def _cache_failed(exc: Exception) -> None:
    global _paused_until, _last_warning
    now = time.monotonic()
    _paused_until = now + _PAUSE_SECONDS
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("Rate limits count per process: the cache failed (%r).", exc)


def is_over(request, group: str, rate: str) -> bool:
    """Counts this request against the client's budget; whether it is over."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    limit, period = _split_rate(rate)
    value = client_address(request)
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
