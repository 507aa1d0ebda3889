"""Environment for the test run, set before pytest-django reads the settings (loaded by -p)."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("DJANGO_DEBUG", "0")
# Tests serve static files without collectstatic's manifest.
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# CI must reach its services: tests marked postgres/redis never skip there.
if os.environ.get("CI", "").lower() in ("1", "true", "yes") and not (
    os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")
):
    raise RuntimeError("CI needs DATABASE_URL and REDIS_URL (see .ci/run).")

# Parallel workers (pytest-xdist, `-n`): each gets its own Redis databases (a
# broker and a cache) and its own cache key prefix, so one worker's flushes,
# queues and purges never reach another's. PostgreSQL test databases are
# suffixed per worker by pytest-django itself.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _index = int(_worker[2:])
    _url = urlsplit(os.environ["REDIS_URL"])
    _base = int(os.environ.get("REDIS_BROKER_DB") or _url.path.strip("/") or 0)
    _last = _base + 2 * int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", _index + 1)) - 1
    if _last > 15:
        raise RuntimeError(
            f"REDIS_URL names database {_base}: its workers would need databases up to "
            f"{_last}, past Redis's 16; name a lower one (CI uses 0)."
        )
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_base + 2 * _index}"))
    os.environ.pop("REDIS_BROKER_DB", None)
    os.environ.pop("REDIS_CACHE_DB", None)
    os.environ["REDIS_CACHE_KEY_PREFIX"] = f"lms-{_worker}"
