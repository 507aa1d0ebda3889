"""/health/ reports the database, cache, broker and worker; "degraded" when one is down.

Only a dead database answers 503: without Redis the site still serves what
the database can answer, so the load balancer must keep sending requests.
"""

import pytest

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_health_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["status"] == "ok"


def test_dead_redis_cache_and_broker_are_degraded_not_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": DEAD_REDIS, "OUTAGE_PAUSE": 0}
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["cache"] == "error"
    assert body["broker"] == "error"
    assert body["database"] == "ok"
    assert body["status"] == "degraded"


def test_a_dead_database_gives_503(client, monkeypatch):
    from lms import views

    monkeypatch.setattr(views, "_check_database", lambda: "error")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.redis
def test_live_redis_broker_is_reported_ok(client, settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    assert client.get("/health/").json()["broker"] == "ok"


def test_liveness_probe_is_plain(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.content == b"ok"
