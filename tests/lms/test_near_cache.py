"""Copies of hot cache entries in the process, dropped the moment Redis says the tracked key changed."""

import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache

import pytest
import redis

from lms import nearcache
from tests.caching import wait_until

# One worker runs them all, one after another: they flush Redis, which every
# tracking process hears of (see tests/caching.py).
pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("near-cache")]


@pytest.fixture
def url():
    return settings.CACHES["default"]["LOCATION"]


@pytest.fixture
def other(url):
    """Another Redis client, as another process would be."""
    client = redis.Redis.from_url(url)
    yield client
    client.close()


@pytest.fixture
def near(url):
    near = nearcache.NearCache(url, f"test:near:{uuid.uuid4().hex}", max_entries=3, max_age=60)
    near.get("warm-up")  # starts watching
    assert wait_until(lambda: near.healthy), "the near cache never started watching"
    yield near
    near.stop()


def _keep(near, key, value):
    assert near.put(near.begin(), key, value)


def test_a_copy_is_served_from_the_process(near):
    _keep(near, "page", b"content")
    assert near.get("page") == b"content"
    assert near.get("absent") is None


def test_a_write_to_the_tracked_key_by_anyone_drops_every_copy(near, other):
    _keep(near, "page", b"content")
    _keep(near, "other page", b"more")
    other.set(near.tracked_key, "new generation")
    assert wait_until(lambda: len(near) == 0)
    assert near.get("page") is None


def test_writes_to_other_keys_keep_the_copies(near, other):
    _keep(near, "page", b"content")
    epoch = near.begin()
    other.set("some:other:key", "x")
    other.set(near.tracked_key, "generation")
    # Invalidations arrive in order: had the first write dropped the copies, the epoch
    # would have moved twice by the time the second one's message is in.
    assert wait_until(lambda: near.begin() != epoch)
    assert near.begin() == epoch + 1


def test_the_tracked_key_expiring_drops_every_copy(near, other):
    token = near.begin()
    other.set(near.tracked_key, "generation", px=200)
    assert wait_until(lambda: near.begin() != token)  # the write itself
    _keep(near, "page", b"content")
    assert wait_until(lambda: len(near) == 0)  # Redis expired the key and said so


def test_a_flush_drops_every_copy(near, other):
    _keep(near, "page", b"content")
    other.flushdb()
    assert wait_until(lambda: len(near) == 0)


def test_a_copy_fetched_before_an_invalidation_is_not_kept(near, other):
    token = near.begin()
    other.set(near.tracked_key, "changed while the copy was on its way")
    assert wait_until(lambda: near.begin() != token)
    assert not near.put(token, "page", b"stale")
    assert near.get("page") is None


def _connection_ids(other, name):
    return [c["id"] for c in other.client_list() if c.get("name") == name]


@pytest.mark.parametrize("connection", ["near-cache:listen", "near-cache:track"])
def test_losing_a_connection_drops_the_copies_and_watching_resumes(near, other, connection):
    _keep(near, "page", b"content")
    ids = _connection_ids(other, connection)
    assert ids, other.client_list()
    for client_id in ids:
        other.client_kill_filter(_id=client_id)
    # Copies go as soon as the loss is noticed (the tracking connection within a second).
    assert wait_until(lambda: near.get("page") is None)
    assert wait_until(lambda: near.healthy)
    _keep(near, "page", b"content")
    other.set(near.tracked_key, "tracked again after reconnecting")
    assert wait_until(lambda: len(near) == 0)


def test_no_copy_is_kept_or_served_while_not_watching(near):
    _keep(near, "page", b"content")
    token = near.begin()
    near.stop()
    assert near.get("page") is None
    assert near.begin() is None
    assert not near.put(token, "page", b"content")


def test_copies_age_out_and_the_least_recently_used_go_first(url):
    near = nearcache.NearCache(url, f"test:near:{uuid.uuid4().hex}", max_entries=2, max_age=0.2)
    near.get("warm-up")
    try:
        assert wait_until(lambda: near.healthy)
        _keep(near, "a", 1)
        _keep(near, "b", 2)
        assert near.get("a") == 1  # a is now the more recently used
        _keep(near, "c", 3)
        assert near.get("b") is None
        assert near.get("a") == 1
        time.sleep(0.3)
        assert near.get("a") is None
        assert near.get("c") is None
    finally:
        near.stop()


def test_a_forked_process_starts_with_no_copies_and_watches_for_itself(near):
    _keep(near, "page", b"content")
    pid = os.fork()
    if pid == 0:  # the child: a web server's worker forked after the copy was kept
        code = 1
        try:
            if near.get("page") is None and wait_until(lambda: near.healthy):
                _keep(near, "page", b"child's own copy")
                code = 0 if near.get("page") == b"child's own copy" else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert near.get("page") == b"content"  # the parent's copies are its own


def test_copies_go_when_invalidations_stop_arriving(near, monkeypatch):
    """A half-open subscription, or a proxy that drops the messages: the probe notices."""
    _keep(near, "page", b"content")
    monkeypatch.setattr(nearcache, "_invalidated_keys", lambda message: nearcache._NOTHING)
    deadline = nearcache.CHECK_INTERVAL + nearcache.PROBE_DEADLINE + 1
    assert wait_until(lambda: not near.healthy, seconds=deadline)
    assert near.get("page") is None
    assert not near.put(near.begin(), "page", b"content")
    monkeypatch.undo()
    assert wait_until(lambda: near.healthy)


def test_copies_are_bounded_in_bytes_too(url):
    near = nearcache.NearCache(url, f"test:near:{uuid.uuid4().hex}", max_entries=10, max_bytes=100)
    near.get("warm-up")
    try:
        assert wait_until(lambda: near.healthy)
        assert near.put(near.begin(), "a", b"a" * 60, size=60)
        assert near.put(near.begin(), "b", b"b" * 30, size=30)
        assert near.put(near.begin(), "c", b"c" * 30, size=30)  # 120 > 100: a goes
        assert near.get("a") is None
        assert near.get("b") and near.get("c")
        assert not near.put(near.begin(), "huge", b"x" * 101, size=101)
    finally:
        near.stop()


def test_no_near_cache_with_read_replicas(url):
    from lms.cache import RedisCache

    replicated = RedisCache(f"{url},{url}", {})
    assert replicated.near_cache("anything") is None


def test_clearing_the_django_cache_drops_the_copies_at_once():
    near = cache.near_cache("test:near:clear")
    near.get("warm-up")
    assert wait_until(lambda: near.healthy)
    _keep(near, "page", b"content")
    cache.clear()
    assert len(near) == 0
    assert cache.near_cache("test:near:clear") is near  # one per process, shared by threads
