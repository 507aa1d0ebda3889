"""The Redis cache backend keeps its redis-py clients instead of building one per call."""

from django.core.cache import caches

import pytest
import redis

from lms.cache import RedisCache


@pytest.mark.redis
def test_cache_calls_share_one_client_per_pool(monkeypatch):
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    built = []
    init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache.set("redis-client-test", 1)
    for _ in range(5):
        assert cache.get("redis-client-test") == 1
    cache.get_many(["redis-client-test", "absent"])
    cache.delete("redis-client-test")
    assert len(built) <= 1


@pytest.mark.redis
def test_incr_is_one_atomic_round_trip_that_keeps_the_expiry():
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    key = cache.make_and_validate_key("redis-incr-test")
    cache.delete("redis-incr-test")
    with pytest.raises(ValueError):
        cache.incr("redis-incr-test")
    # A missing key is not created by a failed increment (Django's EXISTS + INCR could).
    assert client.exists(key) == 0

    assert cache.add("redis-incr-test", 1, 60)
    sent = []
    execute = client.execute_command

    def counting(*args, **kwargs):
        sent.append(args[0])
        return execute(*args, **kwargs)

    client.execute_command = counting
    try:
        assert cache.incr("redis-incr-test") == 2
        assert cache.incr("redis-incr-test", 5) == 7
    finally:
        del client.execute_command
    assert sent == ["EVALSHA", "EVALSHA"]
    assert 0 < client.ttl(key) <= 60
    assert cache.get("redis-incr-test") == 7
    cache.delete("redis-incr-test")
