"""Per-client rate limits for public lookups, answered with django-ratelimit's 429.

Use ``@public_lookup_limit`` on every public lookup view and API endpoint
(``@public_search_limit`` on the site search). The key is the client's
address as ``lms.client.client_address`` resolves it behind
``TRUSTED_PROXY_COUNT`` proxies, so a forged X-Forwarded-For changes nothing.

Counting is django-ratelimit's public ``is_ratelimited`` (its rates, windows,
cache and ``RATELIMIT_ENABLE``); over the limit the view raises
``Ratelimited``, which its middleware turns into ``RATELIMIT_VIEW``'s 429
before the view runs.

When the cache fails (Redis down), each process counts on its own in its
memory, with a warning in the log at most once a minute: the limits hold
per process, and the site never answers 500 or 429 for a missing cache.
"""

import functools
import logging
import re
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache

from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from .client import client_address

logger = logging.getLogger(__name__)

RATE = re.compile(r"^(\d+)/(\d*)([smhd]?)$")
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/m" -> (60, 60); "5/10m" -> (5, 600): a rate as django-ratelimit writes it."""
    match = RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (like 60/m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIODS[unit or "s"]


def client_key(group: str, request) -> str:
    return client_address(request)


class Fallback:
    """Where a process counts while the shared cache fails (fixed windows, in memory)."""

    #: After a failure the shared cache is left alone this long: an unreachable Redis
    #: would otherwise cost every lookup a connection timeout.
    pause_seconds = 5
    warn_every_seconds = 60

    def __init__(self):
        self.counts = LocMemCache("lms-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.lock = threading.Lock()
        self.paused_until = 0.0
        self.last_warning = 0.0

    def reset(self) -> None:
        self.counts.clear()
        self.paused_until = self.last_warning = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.paused_until

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.paused_until = now + self.pause_seconds
            if now - self.last_warning < self.warn_every_seconds:
                return
            self.last_warning = now
        logger.warning("Rate limits count per process: the cache failed (%r).", exc)

    def is_over(self, request, group: str, rate: str) -> bool:
        limit, period = parse_rate(rate)
        window = int(time.time()) // period
        key = f"{group}:{rate}:{client_address(request)}:{window}"
        with self.lock:
            if not self.counts.add(key, 0, period):
                try:
                    return self.counts.incr(key) > limit
                except ValueError:  # expired since
                    self.counts.set(key, 0, period)
            return self.counts.incr(key) > limit


fallback = Fallback()


def is_over(request, group: str, rate: str) -> bool:
    """Counts this request against the client's budget; whether it is over."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    if not fallback.active():
        try:
            return is_ratelimited(request, group=group, key=client_key, rate=rate, increment=True)
        except Exception as exc:  # whatever the backend raises (redis, OSError), the site stays up
            fallback.failed(exc)
    return fallback.is_over(request, group, rate)


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
