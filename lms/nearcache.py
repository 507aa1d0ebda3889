"""An in-process copy of a few hot cache entries that Redis itself keeps true.

A whole page served from Redis costs one round trip; on a small server the
client's share of it (building the command, reading and unpickling the
answer) costs about as much as a bare Django view. A :class:`NearCache`
keeps the most used entries in the process, so the hottest pages cost no
round trip at all, and stays exactly as current as the Redis entries it
copies, by Redis's own client-side caching protocol:

* Entries are valid while a *tracked key* holds still (the page cache's
  generation: every purge writes it). A thread in each process asks Redis
  to track that key in broadcasting mode (``CLIENT TRACKING ... BCAST
  PREFIX``), with invalidation messages redirected to a connection
  subscribed to ``__redis__:invalidate``. Redis then tells every process
  when *anyone* writes, expires, evicts or flushes the key, and the process
  drops its copies at once. (redis-py's own client-side cache does this on
  Redis 7.4 or later only; this works from Redis 6.)
* Copies are used only while that thread knows its two connections are
  open: it reads the subscription continuously and checks the tracking
  connection every second. On any error it drops every copy, stops serving
  them and reconnects with backoff; copies taken before or during an outage
  are never stored.
* A copy fetched from Redis just before an invalidation can arrive after it:
  each fetch takes a token (:meth:`NearCache.begin`) and the copy is stored
  only if no invalidation came in between.
* Copies also age out after ``max_age`` seconds and the cache holds at most
  ``max_entries`` of them (least recently used go first), so nothing grows
  or lives without bound if something unforeseen goes wrong.
* Clearing the Django cache (``cache.clear()``) drops every copy in the
  clearing process at once (the others hear of the flush from Redis).

Only the process's own copies are kept here: a write still goes to Redis,
and other processes pick it up from Redis on their next miss.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import OrderedDict

import redis

logger = logging.getLogger(__name__)

INVALIDATE_CHANNEL = b"__redis__:invalidate"
#: Seconds between checks that the tracking connection is still open.
CHECK_INTERVAL = 1.0
#: Seconds the thread waits for a message before looking at the clock (and at stop()).
_POLL = 0.25
_BACKOFF = (0.5, 1, 2, 5, 10, 30)

_all: weakref.WeakSet[NearCache] = weakref.WeakSet()


class NearCache:
    """Copies of cache entries valid while `tracked_key` (a full Redis key) holds still."""

    def __init__(self, url: str, tracked_key: str, *, max_entries: int = 200, max_age: float = 60):
        self.url = url
        self.tracked_key = tracked_key
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._epoch = 0
        self._healthy = False
        self._watcher: threading.Thread | None = None
        self._pid = os.getpid()
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
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, value = found
            if time.monotonic() - stored_at > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def begin(self) -> int | None:
        """A token to take *before* fetching from Redis; :meth:`put` needs it."""
        self._ensure_watching()
        return self._epoch if self._healthy else None

    def put(self, token: int | None, key: str, value) -> bool:
        """Keep `value`, fetched after `token` was taken, unless an invalidation came since."""
        with self._lock:
            if token is None or not self._healthy or token != self._epoch:
                return False
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return True

    def clear(self) -> None:
        """Drop every copy, and every fetch under way from being kept."""
        with self._lock:
            self._epoch += 1
            self._entries.clear()

    @property
    def healthy(self) -> bool:
        return self._healthy

    def __len__(self) -> int:
        return len(self._entries)

    # --- watching -------------------------------------------------------------

    def _set_healthy(self, healthy: bool) -> None:
        with self._lock:
            self._epoch += 1
            self._entries.clear()
            self._healthy = healthy

    def _ensure_watching(self) -> None:
        if self._closed:
            return
        if self._pid != os.getpid():
            # A forked child (a web server's worker) starts clean: the thread did not survive.
            self._after_fork()
        if self._watcher is None:
            with self._lock:
                if self._watcher is None:
                    self._watcher = threading.Thread(
                        target=self._watch, name=f"near-cache {self.tracked_key}", daemon=True
                    )
                    self._watcher.start()

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self._entries = OrderedDict()
        self._healthy = False
        self._watcher = None
        self._stop = threading.Event()
        self._pid = os.getpid()

    def stop(self) -> None:
        """Stop watching for good: copies are dropped and never served again."""
        self._closed = True
        self._stop.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)
        self._set_healthy(False)

    def _watch(self) -> None:
        failures = 0
        stop = self._stop
        while not stop.is_set():
            listener = tracker = None
            try:
                listener, tracker = self._connect()
                self._set_healthy(True)
                failures = 0
                self._listen(listener, tracker, stop)
            except Exception as error:  # any failure means: stop trusting copies, reconnect
                if not stop.is_set():
                    logger.warning("near cache for %s not in use: %s", self.tracked_key, error)
            finally:
                self._set_healthy(False)
                for connection in (listener, tracker):
                    if connection is not None:
                        connection.disconnect()
            if not stop.is_set():
                stop.wait(_BACKOFF[min(failures, len(_BACKOFF) - 1)])
                failures += 1

    def _connect(self):
        # RESP2, where the invalidations come as plain messages on the subscribed connection.
        pool = redis.ConnectionPool.from_url(
            self.url,
            protocol=2,
            socket_timeout=5,
            socket_connect_timeout=5,
            health_check_interval=0,
        )
        listener = pool.make_connection()
        # Named, so that CLIENT LIST shows what they are.
        listener.send_command("CLIENT", "SETNAME", "near-cache:listen")
        listener.read_response()
        listener.send_command("CLIENT", "ID")
        listener_id = int(listener.read_response())
        listener.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
        reply = listener.read_response()
        if not (isinstance(reply, list) and reply[0] == b"subscribe"):
            raise redis.ConnectionError(f"unexpected reply to SUBSCRIBE: {reply!r}")
        tracker = pool.make_connection()
        tracker.send_command("CLIENT", "SETNAME", "near-cache:track")
        tracker.read_response()
        tracker.send_command(
            "CLIENT", "TRACKING", "ON", "REDIRECT", listener_id, "BCAST", "PREFIX", self.tracked_key
        )
        if tracker.read_response() not in (b"OK", "OK"):
            raise redis.ConnectionError("CLIENT TRACKING was refused")
        return listener, tracker

    def _listen(self, listener, tracker, stop: threading.Event) -> None:
        tracked = self.tracked_key.encode()
        next_check = time.monotonic() + CHECK_INTERVAL
        while not stop.is_set():
            if listener.can_read(timeout=_POLL):
                message = listener.read_response()
                if _invalidates(message, tracked):
                    self.clear()
            if time.monotonic() >= next_check:
                # The tracking lives on this connection: if it closed, nothing would be heard.
                tracker.send_command("PING")
                tracker.read_response()
                next_check = time.monotonic() + CHECK_INTERVAL


def _invalidates(message, tracked: bytes) -> bool:
    """Whether an ``__redis__:invalidate`` message touches the tracked key (None: a flush)."""
    if not (isinstance(message, list) and len(message) == 3 and message[0] == b"message"):
        return False
    keys = message[2]
    if keys is None:
        return True
    return any(key.startswith(tracked) for key in keys)


_shared: dict[tuple, NearCache] = {}
_shared_lock = threading.Lock()


def shared(url: str, tracked_key: str, **options) -> NearCache:
    """The process's one near cache for `tracked_key` on the Redis at `url`.

    Django gives every thread its own cache backend object; the copies (and
    the watching thread) are the process's, shared by all of them.
    """
    near = _shared.get((url, tracked_key))
    if near is None:
        with _shared_lock:
            near = _shared.get((url, tracked_key))
            if near is None:
                near = _shared[url, tracked_key] = NearCache(url, tracked_key, **options)
    return near


def clear_all() -> None:
    """Drop the copies of every near cache in this process (the cache was cleared)."""
    for near in list(_all):
        near.clear()
