"""An in-process copy of a few hot cache entries that Redis itself keeps true.

A whole page served from Redis costs one round trip; on a small server the
client's share of it (building the command, reading and unpickling the
answer) costs about as much as a bare Django view. A :class:`NearCache`
keeps the most used entries in the process, so the hottest pages cost no
round trip at all, and stays as current as the Redis entries it copies, by
Redis's own client-side caching protocol:

* Entries are valid while a *tracked key* holds still (the page cache's
  generation: every purge writes it). A thread in each process asks Redis
  to track that key in broadcasting mode (``CLIENT TRACKING ... BCAST
  PREFIX``), with invalidation messages redirected to a connection
  subscribed to ``__redis__:invalidate``. Redis then tells every process
  when *anyone* writes, expires, evicts or flushes the key, and the process
  drops its copies at once. (redis-py's own client-side cache does this on
  Redis 7.4 or later only; this works from Redis 6.)
* Copies are used only while the thread has proof that invalidations reach
  it: every second it writes a *probe* key of its own, tracked the same way,
  and the probe's invalidation must come back on the subscription within
  ``PROBE_DEADLINE`` seconds. A closed, half-open or black-holed connection
  on either side, tracking turned off, or a proxy that drops the messages
  all fail the probe. On any failure the thread drops every copy, stops
  serving them and reconnects with backoff; copies fetched before or during
  an outage are never stored. So a purge reaches every process within the
  message's delivery, or, if the way back is broken, within about
  ``CHECK_INTERVAL + PROBE_DEADLINE`` seconds (3 s), when the copies go.
* A copy fetched from Redis just before an invalidation can arrive after it:
  each fetch takes a token (:meth:`NearCache.begin`) *before* it reads
  Redis, and the copy is stored only if no invalidation came in between.
* Copies age out after ``max_age`` seconds, and the cache holds at most
  ``max_entries`` of them and ``max_bytes`` in all (least recently used go
  first), so nothing grows or lives without bound.
* Clearing the Django cache (``cache.clear()``) drops every copy in the
  clearing process at once (the others hear of the flush from Redis). A
  forked child (a web server's worker) starts with none and its own thread.

Only the process's own copies are kept here: a write still goes to Redis,
and other processes pick it up from Redis on their next miss. The copies
must come from the server the thread watches: with read replicas, a copy
could be read from a replica that has not yet seen a purge, so
:meth:`lms.cache.RedisCache.near_cache` offers none then.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
import weakref
from collections import OrderedDict

import redis

logger = logging.getLogger(__name__)

INVALIDATE_CHANNEL = b"__redis__:invalidate"
PROBE_PREFIX = "near-cache:probe:"
#: Seconds between probes (each proves that invalidations still arrive).
CHECK_INTERVAL = 1.0
#: Seconds a probe's invalidation may take to come back before the copies are dropped.
PROBE_DEADLINE = 2.0
#: Seconds the thread waits for a message before looking at the clock (and at stop()).
_POLL = 0.25
_BACKOFF = (0.5, 1, 2, 5, 10, 30)

_all: weakref.WeakSet[NearCache] = weakref.WeakSet()


class ProbeLost(redis.ConnectionError):
    """A probe's invalidation did not come back in time: invalidations may be lost."""


class Copies:
    """Values kept in process memory, least recently used first to go, bounded in
    entries, bytes and age. Not locked: its owner holds a lock around each call."""

    def __init__(self, max_entries: int, max_bytes: int, max_age: float):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._entries: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str):
        found = self._entries.get(key)
        if found is None:
            return None
        stored_at, _size, value = found
        if time.monotonic() - stored_at > self.max_age:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: str, value, size: int) -> bool:
        """Keep `value` (about `size` bytes); False when it alone is over the bound."""
        if size > self.max_bytes:
            return False
        if key in self._entries:
            self._drop(key)
        self._entries[key] = (time.monotonic(), size, value)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
        return True

    def _drop(self, key: str) -> None:
        _stored_at, size, _value = self._entries.pop(key)
        self._bytes -= size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


class NearCache:
    """Copies of cache entries valid while `tracked_key` (a full Redis key) holds still."""

    def __init__(
        self,
        url: str,
        tracked_key: str,
        *,
        max_entries: int = 200,
        max_bytes: int = 16 * 1024 * 1024,
        max_age: float = 60,
        connection_options: dict | None = None,
    ):
        self.url = url
        self.tracked_key = tracked_key
        self.connection_options = dict(connection_options or {})
        self._lock = threading.Lock()
        self._copies = Copies(max_entries, max_bytes, max_age)
        self._epoch = 0
        self._healthy = False
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._closed = False
        _all.add(self)

    # --- use ------------------------------------------------------------------

    def get(self, key: str):
        """The copy kept for `key`, or None (also whenever copies cannot be trusted)."""
        self._ensure_watching()
        if not self._healthy:
            return None
        with self._lock:
            return self._copies.get(key)

    def begin(self) -> int | None:
        """A token to take *before* fetching from Redis; :meth:`put` needs it."""
        self._ensure_watching()
        return self._epoch if self._healthy else None

    def put(self, token: int | None, key: str, value, size: int = 0) -> bool:
        """Keep `value` (about `size` bytes), fetched after `token` was taken,
        unless an invalidation came since."""
        with self._lock:
            if token is None or not self._healthy or token != self._epoch:
                return False
            return self._copies.put(key, value, size)

    def clear(self) -> None:
        """Drop every copy, and every fetch under way from being kept."""
        with self._lock:
            self._clear_locked()

    def _clear_locked(self) -> None:
        self._epoch += 1
        self._copies.clear()

    @property
    def healthy(self) -> bool:
        return self._healthy

    def __len__(self) -> int:
        return len(self._copies)

    # --- watching -------------------------------------------------------------

    def _set_healthy(self, healthy: bool) -> None:
        with self._lock:
            self._clear_locked()
            # A watcher that outlived stop() never makes the copies trusted again.
            self._healthy = healthy and not self._closed

    def _ensure_watching(self) -> None:
        if self._watcher is not None or self._closed:
            return
        with self._lock:
            if self._watcher is None and not self._closed:
                self._watcher = threading.Thread(
                    target=self._watch, name=f"near-cache {self.tracked_key}", daemon=True
                )
                self._watcher.start()

    def _after_fork_in_child(self) -> None:
        # Only the forking thread survives a fork: no watcher, and a lock no one will release.
        self._lock = threading.Lock()
        self._copies.clear()
        self._healthy = False
        self._watcher = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop watching for good: copies are dropped and never served again."""
        self._closed = True
        self._stop.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=10)
        self._set_healthy(False)

    def _watch(self) -> None:
        failures = 0
        stop = self._stop
        while not stop.is_set():
            listener = tracker = None
            try:
                listener, tracker = self._connect()
                self._listen(listener, tracker, stop, on_proven=self._set_healthy)
                failures = 0  # a clean stop
            except Exception as error:  # any failure means: stop trusting copies, reconnect
                if not stop.is_set():
                    logger.warning("near cache for %s not in use: %s", self.tracked_key, error)
                if self._healthy:
                    failures = 0  # it worked for a while: retry soon
            finally:
                self._set_healthy(False)
                for connection in (listener, tracker):
                    if connection is not None:
                        connection.disconnect()
            if not stop.is_set():
                stop.wait(_BACKOFF[min(failures, len(_BACKOFF) - 1)])
                failures += 1

    def _connect(self):
        # RESP2, where the invalidations come as plain messages on the subscribed connection;
        # timeouts and keepalive so that a dead peer is an error, not a wait.
        options = {
            **self.connection_options,
            "protocol": 2,
            "socket_timeout": PROBE_DEADLINE,
            "socket_connect_timeout": 5,
            "socket_keepalive": True,
            "health_check_interval": 0,
        }
        options.pop("parser_class", None)
        pool = redis.ConnectionPool.from_url(self.url, **options)
        listener = pool.make_connection()
        # Named, so that CLIENT LIST shows what they are.
        _command(listener, "CLIENT", "SETNAME", "near-cache:listen")
        listener_id = int(_command(listener, "CLIENT", "ID"))
        reply = _command(listener, "SUBSCRIBE", INVALIDATE_CHANNEL)
        if not (isinstance(reply, list) and reply[0] == b"subscribe"):
            raise redis.ConnectionError(f"unexpected reply to SUBSCRIBE: {reply!r}")
        tracker = pool.make_connection()
        _command(tracker, "CLIENT", "SETNAME", "near-cache:track")
        self._probe_key = f"{PROBE_PREFIX}{uuid.uuid4().hex}"
        reply = _command(
            tracker,
            *("CLIENT", "TRACKING", "ON", "REDIRECT", listener_id, "BCAST"),
            *("PREFIX", self.tracked_key, "PREFIX", self._probe_key),
        )
        if reply not in (b"OK", "OK"):
            raise redis.ConnectionError(f"CLIENT TRACKING was refused: {reply!r}")
        return listener, tracker

    def _listen(self, listener, tracker, stop: threading.Event, on_proven) -> None:
        """Read invalidations; probe the whole way round every CHECK_INTERVAL seconds.

        Copies are trusted (`on_proven(True)`) only once the first probe has come back.
        """
        tracked = self.tracked_key.encode()
        probe = self._probe_key.encode()
        proven = False
        sent_at = None
        next_probe = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            if sent_at is not None and now - sent_at > PROBE_DEADLINE:
                raise ProbeLost(f"no invalidation came back within {PROBE_DEADLINE} s")
            if sent_at is None and now >= next_probe:
                # Expires by itself; a write every second per process is all it costs.
                _command(tracker, "SET", self._probe_key, "1", "PX", 60_000)
                sent_at = now
                next_probe = now + CHECK_INTERVAL
            if listener.can_read(timeout=_POLL):
                keys = _invalidated_keys(listener.read_response())
                if keys is _NOTHING:
                    continue
                if keys is None or any(k.startswith(tracked) for k in keys):
                    self.clear()
                if keys is None or probe in keys:
                    sent_at = None  # the way back works
                    if not proven:
                        proven = True
                        on_proven(True)


def _command(connection, *args):
    connection.send_command(*args)
    return connection.read_response()


_NOTHING = object()


def _invalidated_keys(message):
    """The keys an ``__redis__:invalidate`` message names, None for a flush, else _NOTHING."""
    if not (isinstance(message, list) and len(message) == 3 and message[0] == b"message"):
        return _NOTHING
    if message[1] != INVALIDATE_CHANNEL:
        return _NOTHING
    return message[2]


_shared: dict[tuple, NearCache] = {}
_shared_lock = threading.Lock()


def shared(url: str, tracked_key: str, **options) -> NearCache:
    """The process's one near cache for `tracked_key` on the Redis at `url`.

    Django gives every thread its own cache backend object; the copies (and
    the watching thread) are the process's, shared by all of them. Limits
    given here apply from this call on (settings can change in tests).
    """
    connection_options = options.pop("connection_options", None)
    near = _shared.get((url, tracked_key))
    if near is None:
        with _shared_lock:
            near = _shared.get((url, tracked_key))
            if near is None:
                near = NearCache(url, tracked_key, connection_options=connection_options)
                _shared[url, tracked_key] = near
    for name, value in options.items():  # max_entries, max_bytes, max_age: the copies' limits
        if getattr(near._copies, name) != value:
            setattr(near._copies, name, value)
    return near


def clear_all() -> None:
    """Drop the copies of every near cache in this process (the cache was cleared)."""
    for near in list(_all):
        near.clear()


def _after_fork_in_child() -> None:
    global _shared_lock
    _shared_lock = threading.Lock()
    for near in list(_all):
        near._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
