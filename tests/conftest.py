"""Test-only settings tweaks and fixtures shared by every app's tests."""

import os
import shutil
import tempfile

import pytest

from tests.caching import clear_cache

_MEDIA_ROOT = tempfile.mkdtemp(prefix="lms-test-media-")


def pytest_configure(config):
    from django.conf import settings

    settings.MEDIA_ROOT = _MEDIA_ROOT
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if not os.environ.get("REDIS_URL"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Tasks run in process during tests, even with REDIS_URL (the cache still
    # uses Redis); tests of the real broker turn this off for themselves.
    from lms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


def pytest_unconfigure(config):
    shutil.rmtree(_MEDIA_ROOT, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """Skip service tests, with a reason, where the service is not configured (never in CI)."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI always does)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL (CI always does)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache (rate limits, cached pages)."""
    clear_cache()
    yield


@pytest.fixture(autouse=True)
def _rate_limit_windows_hold(monkeypatch):
    """Within a test, each client's rate-limit window stays the one it first fell in.

    django-ratelimit's fixed windows begin at a moment spread by the client's
    address. A test whose requests straddled that moment (a worker's first
    search loads jieba's dictionary, about a second) saw its count start
    again, and the 429 it expected never came.
    """
    from django_ratelimit import core

    windows = {}
    real = core._get_window

    def held(value, period):
        if (value, period) not in windows:
            windows[value, period] = real(value, period)
        return windows[value, period]

    monkeypatch.setattr(core, "_get_window", held)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request made in English leaves
    English active in the thread (LocaleMiddleware), which code run outside a
    request afterwards would otherwise inherit."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def password():
    return "correct-horse-battery-staple"


@pytest.fixture
def login_staff():
    """Sign `user` in on `client` with a verified second factor (as after the OTP step)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def _login(client, user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def login_worker():
    """Sign a worker's `user` in on `client` (workers need no second factor)."""

    def _login(client, user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test restores the migrated data (serialized rollback).

    Without it, the flush after a transactional test re-creates content types
    and permissions with new primary keys on PostgreSQL, and a later test that
    restores the serialized copy collides with them. Requesting this
    pytest-django fixture everywhere turns serialized rollback on for every
    ``transaction=True`` test (plain tests roll back and are unaffected).
    """
    return None


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_connection(django_db_setup):
    """Let every connection object restore the migrated data after a transactional test.

    Django keeps the serialized copy (for ``serialized_rollback``) on the
    connection object that created the test database. Playwright's sync API
    runs code in other greenlets, which get connection objects of their own
    without it, so the restore silently did nothing and later browser tests
    met an empty database. A class attribute reaches them all.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield
