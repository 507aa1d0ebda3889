"""A real Celery worker survives a Redis outage: it reconnects and takes tasks again.

The worker is a ``celery -A lms worker`` process on the test's own Redis
(tests/redis_server.py), which the test kills and starts again, as a crash
or a restart of Redis would. Before the settings in lms/settings.py the
worker exited ("Unrecoverable error") and never came back.
"""

import logging
import os
import subprocess
import sys
import time
import uuid

from django.conf import settings

import pytest
import redis

from lms.tasks import send_task
from tests.celery_broker import celery_on
from tests.redis_server import redis_server  # noqa: F401 - the fixture

logger = logging.getLogger(__name__)

pytestmark = pytest.mark.redis


@pytest.fixture
def worker_process(redis_server, tmp_path):  # noqa: F811 - the fixture
    env = {
        **os.environ,
        "REDIS_URL": redis_server.url(0),
        "REDIS_CACHE_OUTAGE_PAUSE": "0",
        "REDIS_CACHE_KEY_PREFIX": "reconnect",
        "DJANGO_DEBUG": "1",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "lms", "worker", "-P", "solo", "-l", "info"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        # The worker's own log, for a failure's report (pytest shows captured logs).
        logger.info(
            "worker log:\n%s", (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        )


def _round_trip(server, seconds: float) -> bool:
    """Send broker_roundtrip until the worker writes its key (cache database 1), or time out."""
    key = f"roundtrip-{uuid.uuid4()}"
    cache = redis.Redis.from_url(server.url(1), socket_connect_timeout=0.5)
    deadline = time.monotonic() + seconds
    next_send = 0.0
    try:
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send:
                send_task("lms.tasks.broker_roundtrip", key)
                next_send = time.monotonic() + 3
            try:
                if any(True for _ in cache.scan_iter(match=f"*{key}")):
                    return True
            except redis.ConnectionError:
                pass
            time.sleep(0.2)
        return False
    finally:
        cache.close()


def test_the_worker_reconnects_after_redis_dies_and_comes_back(
    redis_server,  # noqa: F811 - the fixture
    worker_process,
    settings,
):
    with celery_on(redis_server.url(0), settings):
        assert _round_trip(redis_server, 60), "the worker never took a task"
        redis_server.kill()
        time.sleep(4)  # the worker meets the dead broker
        assert worker_process.poll() is None, "the worker exited when Redis went away"
        redis_server.start()
        assert _round_trip(redis_server, 60), "the worker did not take tasks after Redis came back"
        assert worker_process.poll() is None
