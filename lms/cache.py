"""The project's Redis cache backend: Django's, failing soft.

PostgreSQL is the source of truth, so a page must not fail because Redis
cannot be reached. While Redis is down, a read is a miss and a write is
skipped, with a warning in the log; after a failure the process leaves Redis
alone for ``OUTAGE_PAUSE`` seconds (a cache setting, 5 by default), so a
request pays no connection attempt per cache call and the log gets one
warning per pause, not one per call. Counters (``incr``) still raise:
lms/ratelimit.py decides how a limit behaves without its counter.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

import redis

logger = logging.getLogger(__name__)


class Outage:
    """Whether this process currently leaves one Redis server alone, after a failed call."""

    def __init__(self, name: str):
        self.name = name
        self.pause = 5.0
        self.until = 0.0
        self.down = False
        self.lock = threading.Lock()

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.until

    def failed(self, operation: str, error: Exception) -> None:
        with self.lock:
            if not self.skipping():
                logger.warning(
                    "cache %s unreachable (%s: %s); serving without it for %g s",
                    self.name,
                    operation,
                    error,
                    self.pause,
                )
            self.down = True
            self.until = time.monotonic() + self.pause

    def succeeded(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    self.down = False
                    logger.warning("cache %s reachable again", self.name)


outages: dict[str, Outage] = {}


def outage(server: str) -> Outage:
    """The process's one :class:`Outage` for `server` (each thread has its own backend)."""
    found = outages.get(server)
    if found is None:
        # Named without the password a URL may carry: the name goes to the log.
        parts = urlsplit(server)
        found = outages.setdefault(server, Outage(f"{parts.hostname}:{parts.port}{parts.path}"))
    return found


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # With replicas (several locations), the primary, named first, stands for them all.
        primary = server[0] if isinstance(server, (list, tuple)) else server.split(",")[0]
        self.outage = outage(primary.strip())
        self.outage.pause = float(params.get("OUTAGE_PAUSE", 5))

    def soft(self, operation: str, miss, call, *args, **kwargs):
        """``call(*args, **kwargs)``, or `miss` while Redis cannot be reached."""
        if self.outage.skipping():
            return miss
        try:
            result = call(*args, **kwargs)
        except redis.RedisError as error:
            self.outage.failed(operation, error)
            return miss
        self.outage.succeeded()
        return result

    # The miss each operation answers during an outage is what it answers for an
    # absent key: None or the default, nothing added, nothing deleted.

    def get(self, key, default=None, version=None):
        return self.soft("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self.soft("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self.soft("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.soft("set", None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.soft("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.soft("touch", False, super().touch, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored.
        return self.soft("set_many", list(data), super().set_many, data, timeout, version)

    def delete(self, key, version=None):
        return self.soft("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self.soft("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self.soft("clear", False, super().clear)
