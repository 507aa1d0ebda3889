"""A task sent through the real Redis broker is run by a worker (CI always runs this)."""

import time
import uuid

from django.core.cache import cache

import pytest
from celery.contrib.testing.worker import start_worker

from lms.celery import app
from lms.tasks import broker_roundtrip
from tests.celery_broker import celery_on

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker(settings):
    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), url
    with celery_on(url, settings):
        yield


def test_task_crosses_the_broker_to_a_worker(real_broker):
    key = f"broker-roundtrip-{uuid.uuid4()}"
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        broker_roundtrip.delay(key)
        deadline = time.monotonic() + 20
        while cache.get(key) != "ok" and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(key) == "ok"
