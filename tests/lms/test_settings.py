"""Settings follow the environment: database, cache, broker and production safety."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env_overrides: dict, expr: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")
    }
    env.update({"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_SETTINGS_MODULE": "lms.settings"})
    env.update(env_overrides)
    code = f"import django; django.setup(); from django.conf import settings as s; print({expr})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_without_database_url_sqlite_is_tuned_for_concurrent_writers():
    out = _settings_in_subprocess({}, "s.DATABASES['default']")
    assert "sqlite3" in out
    assert "IMMEDIATE" in out
    assert "journal_mode=WAL" in out
    assert "busy_timeout" in out


def test_with_database_url_postgresql_is_used():
    out = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/lms"}, "s.DATABASES['default']['ENGINE']"
    )
    assert out == "django.db.backends.postgresql"


def test_without_redis_url_tasks_run_eagerly_and_cache_is_local_memory():
    out = _settings_in_subprocess(
        {}, "(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])"
    )
    assert out == "(True, 'django.core.cache.backends.locmem.LocMemCache')"


def test_with_redis_url_cache_and_broker_use_separate_databases():
    out = _settings_in_subprocess(
        {"REDIS_URL": "redis://cache.example:6379/0"},
        "(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'])",
    )
    assert out == "(False, 'redis://cache.example:6379/0', 'redis://cache.example:6379/1')"


def test_debug_off_turns_on_https_only_settings():
    out = _settings_in_subprocess(
        {},
        "(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER)",
    )
    assert out == "(True, True, True, True, ('HTTP_X_FORWARDED_PROTO', 'https'))"


def test_missing_secret_key_is_refused_in_production():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "prod-like-" + "k3y" * 20,
            "DJANGO_ALLOWED_HOSTS": "jz.example.cn",
            "DJANGO_SETTINGS_MODULE": "lms.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_languages_and_time_zone(settings, lang):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert lang in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
