"""Gap-free, unique tracking numbers when many households file at once (PostgreSQL, threads)."""

import threading

from django.db import close_old_connections, connection
from django.utils import timezone

import pytest

from complaints.models import Complaint
from tests.registry.factories import ApprovedWorkerFactory

from . import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_in_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def worker(args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_filings_get_consecutive_numbers_and_failures_use_none():
    worker = ApprovedWorkerFactory()
    tokens = [factories.visit_with_token(worker)[1] for _ in range(10)]
    phones = [f"1390000{i:04d}" for i in range(10)]

    def file(token, phone, bad):
        factories.complaint(
            token=token, phone=phone, description="太短" if bad else "服务员态度恶劣，打碎了东西。"
        )

    # Every third filing is refused after the others started: it must not burn a number.
    args = [(t, p, i % 3 == 2) for i, (t, p) in enumerate(zip(tokens, phones, strict=True))]
    errors = _run_in_threads(file, args)
    assert len(errors) == 3
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"TS-{year}-{n:06d}" for n in range(1, 8)]


def test_two_tabs_filing_for_one_visit_leave_one_open_complaint():
    _visit, token = factories.visit_with_token()
    errors = _run_in_threads(
        lambda phone: factories.complaint(token=token, phone=phone),
        [("13900000021",), ("13900000022",), ("13900000023",)],
    )
    assert len(errors) == 2
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().number.endswith("-000001")
