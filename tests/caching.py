"""The test cache, emptied between tests, and waiting for what it hears from Redis."""

import time


def clear_cache():
    """Empty the test cache: on Redis, this worker's keys only (parallel workers share it)."""
    from django.conf import settings
    from django.core.cache import caches

    import redis

    from lms.cache import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()
        return
    location = settings.CACHES["default"]["LOCATION"]
    client = redis.Redis.from_url(location.split(",")[0])
    try:
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
        if keys:
            client.unlink(*keys)
    finally:
        client.close()


def wait_until(condition, seconds: float = 5.0) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (its last value).

    For what another thread or process does on its own time.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
