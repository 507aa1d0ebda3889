"""The project's Redis cache backend: Django's, keeping its redis-py clients.

Django's ``RedisCache`` builds a new ``redis.Redis`` for every cache call,
on a connection pool it keeps. redis-py's constructor copies its table of
some 170 response callbacks each time: about 0.1 ms per call, more than the
round trip to a local Redis. A page served from the cache, or a lookup's
rate-limit check, makes one to four calls. This backend builds one client
per connection pool and reuses it; redis-py clients are safe to share
between threads, and the pools themselves stay Django's (one per process,
re-created after a fork).

``incr`` is one atomic round trip (a server-side script) instead of Django's
two: ``EXISTS`` then ``INCRBY``. It closes the gap between the two, in which
a counter that expired would be re-created by ``INCRBY`` without an expiry
and so never reset. The rate limits count with :meth:`RedisCache.count`
instead (``INCR``, and ``EXPIRE`` on the first count): one round trip where
``add`` then ``incr`` took two.

It also offers :meth:`RedisCache.near_cache`, copies of hot entries kept in
the process and invalidated by Redis itself (see lms/nearcache.py), and
``clear()`` drops those copies too.

The cache fails soft: PostgreSQL is the source of truth, so a page must
not fail because Redis cannot be reached. While Redis is down, a read is a
miss and a write is skipped, with a warning in the log; after a failure the
process leaves Redis alone for ``OUTAGE_PAUSE`` seconds (a cache setting,
5 by default), so a request pays no connection attempt per cache call and
the log gets one warning per pause, not one per call. The rate limits'
counters (``incr``, :meth:`RedisCache.count`) still raise: lms/ratelimit.py
decides how a limit behaves without its counter.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

import redis

from . import nearcache

logger = logging.getLogger(__name__)

# Increments an existing key and returns the new value; nil (None) when it does not exist.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


# Counts one more in a window counter, which lives `ARGV[1]` seconds from its first count.
_COUNT_IN_WINDOW = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
"""


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # The pools live as long as this object, so their ids stay theirs.
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def _script(self, key, source: str):
        """`source` as a script on the client for `key`, sent by its SHA1 (EVALSHA) and
        loaded by redis-py the first time Redis lacks it."""
        client = self.get_client(key, write=True)
        script = self._scripts.get((source, id(client)))
        if script is None:
            script = self._scripts.setdefault((source, id(client)), client.register_script(source))
        return script

    def incr(self, key, delta):
        value = self._script(key, _INCR_EXISTING)(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count(self, key, timeout: int) -> int:
        return self._script(key, _COUNT_IN_WINDOW)(keys=[key], args=[timeout])


class Outage:
    """Whether this process currently leaves one Redis server alone, after a failed call."""

    def __init__(self, name: str):
        self.name = name
        self.pause = 5.0
        self._until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def skipping(self) -> bool:
        return self._down and time.monotonic() < self._until

    def failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            if not self.skipping():
                logger.warning(
                    "cache %s unreachable (%s: %s); serving without it for %g s",
                    self.name,
                    operation,
                    error,
                    self.pause,
                )
            self._down = True
            self._until = time.monotonic() + self.pause

    def succeeded(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    logger.warning("cache %s reachable again", self.name)


_outages: dict[str, Outage] = {}


def outage(server: str) -> Outage:
    """The process's one :class:`Outage` for `server` (each thread has its own backend)."""
    found = _outages.get(server)
    if found is None:
        # Named without the password a URL may carry: the name goes to the log.
        parts = urlsplit(server)
        found = _outages.setdefault(server, Outage(f"{parts.hostname}:{parts.port}{parts.path}"))
    return found


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        # With replicas, the primary stands for them all.
        self._outage = outage(self._servers[0])
        self._outage.pause = float(params.get("OUTAGE_PAUSE", 5))

    def _soft(self, operation: str, miss, call, *args, **kwargs):
        """``call(*args, **kwargs)``, or `miss` while Redis cannot be reached."""
        if self._outage.skipping():
            return miss
        try:
            result = call(*args, **kwargs)
        except redis.RedisError as error:
            self._outage.failed(operation, error)
            return miss
        self._outage.succeeded()
        return result

    # The miss each operation answers during an outage is what it answers for an
    # absent key: None or the default, nothing added, nothing deleted.

    def get(self, key, default=None, version=None):
        return self._soft("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set", None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", False, super().touch, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored.
        return self._soft("set_many", list(data), super().set_many, data, timeout, version)

    def delete(self, key, version=None):
        return self._soft("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._soft("delete_many", None, super().delete_many, keys, version)

    def count(self, key, timeout: int) -> int:
        """One more in the counter at `key` (created to live `timeout` seconds): one round trip.

        Django's ``add`` then ``incr`` take two; a rate limit counts on every lookup.
        """
        return self._cache.count(self.make_and_validate_key(key), int(timeout))

    def near_cache(self, tracked_key: str, **options) -> nearcache.NearCache | None:
        """This process's near cache whose copies hold while `tracked_key` (a cache key) does.

        None with read replicas (several servers in LOCATION): Django reads from
        any of them, and a replica that has not yet seen a purge could hand out
        a copy after its invalidation came from the primary.
        """
        if len(self._servers) != 1:
            return None
        return nearcache.shared(
            self._servers[0],
            self.make_key(tracked_key),
            connection_options=self._cache._pool_options,
            **options,
        )

    def clear(self):
        result = self._soft("clear", False, super().clear)
        nearcache.clear_all()
        return result
