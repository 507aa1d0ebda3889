"""/health/ reads the worker's heartbeat from the database: "degraded" when it is old.

The beat sends ``lms.tasks.worker_heartbeat`` every minute and a worker runs
it; a heartbeat older than ``HEALTH_HEARTBEAT_MAX_AGE`` means no worker (or
no beat, or no broker) has been doing the background work.
"""

import datetime

from django.conf import settings as django_settings
from django.utils import timezone

import pytest
import time_machine

from lms.heartbeat import heartbeat_last
from lms.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_broker(settings, monkeypatch):
    """As in production: a broker (reported reachable here) and a separate worker."""
    from lms import views

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(views, "_check_broker", lambda: "ok")


def test_the_heartbeat_is_on_the_beat_schedule_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["lms-worker-heartbeat"]
    assert entry["task"] == "lms.tasks.worker_heartbeat"
    assert entry["schedule"] <= 60


def test_the_heartbeat_task_records_the_time_in_the_database():
    before = timezone.now()
    worker_heartbeat.apply()
    assert heartbeat_last() >= before


def test_no_heartbeat_ever_is_degraded(client, with_broker):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["worker"] == "stale"
    assert body["status"] == "degraded"


def test_a_fresh_heartbeat_is_ok(client, with_broker):
    worker_heartbeat.apply()
    body = client.get("/health/").json()
    assert body["worker"] == "ok"
    assert body["worker_heartbeat"] is not None
    assert body["status"] == "ok"


def test_a_heartbeat_older_than_the_limit_is_degraded(client, with_broker, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 300
    worker_heartbeat.apply()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=299)):
        assert client.get("/health/").json()["status"] == "ok"
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=301)):
        body = client.get("/health/").json()
    assert body["worker"] == "stale"
    assert body["status"] == "degraded"


def test_without_a_broker_tasks_run_eagerly_and_nothing_degrades(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = client.get("/health/").json()
    assert body["worker"] == "eager"
    assert body["status"] == "ok"


def test_liveness_stays_cheap_without_a_worker(client, with_broker, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
