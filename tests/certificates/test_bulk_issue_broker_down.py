"""A bulk issue survives the broker: down when it starts, or killed mid-batch.

The broker is a real ``redis-server`` (tests/redis_server.py) that the test
kills and starts again, with an in-process Celery worker. Starting a batch
with the broker down is no error (the batch waits, queued); messages lost
with the broker leave a batch without progress, which the reconciler
restarts; every batch then finishes with exactly one certificate per
eligible worker.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from certificates.models import Certificate, CertificateBatch
from certificates.services import batches
from certificates.services.batches import (
    batch_run_chunk,
    batches_restart_stuck,
    certificate_batch_issue,
)
from certificates.tasks import certificates_reconcile
from lms.celery import app
from tests.celery_broker import celery_on
from tests.certificates.factories import CertificateTypeFactory, passed_attempt
from tests.redis_server import redis_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def broker(redis_server, settings):  # noqa: F811 - the fixture
    """Celery on the test's own Redis, sending for real (not eagerly)."""
    settings.CERTIFICATES_BATCH_CHUNK = 2
    # Publishing to a dead broker gives up at once (the default retries for a while).
    saved_policy = app.conf.task_publish_retry_policy
    app.conf.task_publish_retry_policy = {"max_retries": 0}
    with celery_on(redis_server.url(0), settings):
        yield redis_server
    app.conf.task_publish_retry_policy = saved_policy


def _worker():
    return start_worker(app, perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING")


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _cohort(size: int):
    cert_type = CertificateTypeFactory()
    attempts = [passed_attempt(cert_type) for _ in range(size)]
    return cert_type, attempts


def _assert_one_certificate_each(batch, attempts):
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE
    assert (batch.done, batch.failed, batch.total) == (len(attempts), 0, len(attempts))
    for attempt in attempts:
        assert Certificate.objects.filter(worker=attempt.worker).count() == 1
    assert Certificate.objects.count() == len(attempts)


def test_a_batch_started_with_the_broker_down_waits_then_finishes(broker, settings):
    cert_type, attempts = _cohort(5)
    broker.kill()
    batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
    assert batch.waiting_for_tasks  # the admin says: queued, starts when tasks are back
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.PENDING
    broker.start()
    settings.CERTIFICATES_BATCH_STALE_SECONDS = 0
    with _worker():
        assert certificates_reconcile.apply().get()["batches"] == 1
        assert _wait_for(lambda: CertificateBatch.objects.get(pk=batch.pk).state == "done")
    _assert_one_certificate_each(batch, attempts)


def test_a_batch_whose_broker_dies_mid_way_is_restarted_and_finishes(broker, settings, monkeypatch):
    cert_type, attempts = _cohort(10)
    run_chunk = batch_run_chunk

    def slow_chunk(**kwargs):
        time.sleep(0.3)  # time for the broker to die with chunks still queued
        return run_chunk(**kwargs)

    monkeypatch.setattr(batches, "batch_run_chunk", slow_chunk)
    with _worker():
        batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
        assert not batch.waiting_for_tasks
        assert _wait_for(lambda: CertificateBatch.objects.get(pk=batch.pk).done >= 2)
        broker.kill()  # the chunks still queued are lost with it (no persistence)
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.RUNNING
    assert batch.done < len(attempts)
    broker.start()
    settings.CERTIFICATES_BATCH_STALE_SECONDS = 0
    with _worker():
        assert certificates_reconcile.apply().get()["batches"] == 1
        assert _wait_for(lambda: CertificateBatch.objects.get(pk=batch.pk).state == "done")
    _assert_one_certificate_each(batch, attempts)


def test_a_batch_making_progress_is_left_alone(broker, settings):
    cert_type, attempts = _cohort(2)
    broker.kill()
    batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
    settings.CERTIFICATES_BATCH_STALE_SECONDS = 600
    assert batches_restart_stuck() == []
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.PENDING
