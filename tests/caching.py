"""The test cache, emptied between tests, and waiting for what it hears from Redis."""

import time


def clear_cache():
    """Empty the test cache: on Redis, this worker's keys only.

    Not ``FLUSHDB``: Redis tells every process that tracks keys of any flush
    (lms/nearcache.py), so a flush here would drop the near-cache copies a
    test in a parallel worker is looking at.
    """
    from django.core.cache import caches

    from cms import cache as page_cache
    from lms import nearcache
    from lms.cache import RedisCache

    page_cache.forget_askings()
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()
        return
    client = backend._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
    if keys:
        client.unlink(*keys)
    nearcache.clear_all()


def wait_until(condition, seconds: float = 5.0) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (its last value).

    For what another thread or process does on its own time, such as a Redis
    invalidation reaching a near cache.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
