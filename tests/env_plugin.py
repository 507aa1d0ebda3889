"""Environment for the test run, set before pytest-django reads the settings (loaded by -p)."""

import os

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
