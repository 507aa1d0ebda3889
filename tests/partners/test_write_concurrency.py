"""A duplicate write arriving while the first is in flight (PostgreSQL, threads): it waits
on the key's uncommitted row and answers the first answer, nothing written twice; past
PARTNER_IDEMPOTENCY_WAIT_SECONDS it is 409 idempotency-key-in-use."""

import json
import threading
import time

from django.db import close_old_connections, connection
from django.test import Client

import pytest

from partners.models import IdempotentRequest
from registry.models import Filing, Worker
from tests.partners.conftest import AgencySystemFactory
from tests.partners.test_write_idempotency import filing
from tests.registry.factories import WorkerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _post(token, path, body, key):
    return Client().post(
        f"/api/v1/partner{path}",
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _in_threads(calls):
    """Run each (delay, function) in its own thread; the answers in order."""
    answers = [None] * len(calls)

    def run(index, delay, function):
        try:
            time.sleep(delay)
            answers[index] = function()
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, delay, fn)) for i, (delay, fn) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_concurrent_duplicates_file_once_and_share_the_first_answer(token_for):
    partner = AgencySystemFactory()
    token = token_for(partner)
    body = filing()
    answers = _in_threads([(0, lambda: _post(token, "/workers", body, "same"))] * 6)
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.content for a in answers}) == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 5
    assert Worker.objects.count() == 1 and Filing.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_a_duplicate_waiting_too_long_is_told_the_first_is_in_use(token_for, settings, monkeypatch):
    settings.PARTNER_IDEMPOTENCY_WAIT_SECONDS = 0.3
    partner = AgencySystemFactory()
    token = token_for(partner)
    worker = WorkerFactory(agency=partner.agency)
    from registry.services import workers

    original = workers.worker_update

    def slow(**kwargs):
        time.sleep(1.5)
        return original(**kwargs)

    monkeypatch.setattr("partners.api_writes.worker_update", slow)
    path, body = f"/workers/{worker.pk}/contact", {"phone": "13800000099"}
    first, second = _in_threads(
        [
            (0, lambda: _post(token, path, body, "slow")),
            (0.5, lambda: _post(token, path, body, "slow")),
        ]
    )
    assert first.status_code == 201, first.content
    assert second.status_code == 409
    assert second.json()["type"].endswith("/idempotency-key-in-use")
    retry = _post(token, path, body, "slow")
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (201, "true")
    assert retry.content == first.content
