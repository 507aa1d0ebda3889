"""Two first sign-ins at the same moment link exactly one login to the worker (PostgreSQL)."""

import threading

from django.contrib.auth import get_user_model
from django.db import connection

import pytest

from registry.models import Worker
from registry.services.signin import worker_login_activate
from tests.registry.factories import WorkerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_first_sign_ins_link_one_login():
    worker = WorkerFactory(phone="13500000001")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def activate():
        try:
            barrier.wait(timeout=10)
            results.append(worker_login_activate(phone="13500000001", id_last4=worker.id_last4))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0].pk == results[1].pk
    assert get_user_model().objects.filter(phone="13500000001").count() == 1
    assert Worker.objects.get(pk=worker.pk).user_id == results[0].pk


def test_activation_links_one_login_to_one_worker():
    worker = WorkerFactory(phone="13500000002")
    first = worker_login_activate(phone="13500000002", id_last4=worker.id_last4)
    again = worker_login_activate(phone="13500000002", id_last4=worker.id_last4)
    assert first.pk == again.pk
    assert Worker.objects.filter(user=first).count() == 1
