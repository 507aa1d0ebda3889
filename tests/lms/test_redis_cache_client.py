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
