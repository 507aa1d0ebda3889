"""Card numbers stay unique under concurrent issue (PostgreSQL row locks, real threads)."""

import threading

from django.db import connection

import pytest

from registry.models import FilingStatus, IssuedCard, Worker
from registry.services.cards import CARD_PREFIX, card_issue, card_issue_batch
from registry.services.workers import worker_create
from tests.registry.factories import AgencyFactory, WorkerFactory, reviewer_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_in_threads(targets):
    errors = []
    barrier = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            try:
                barrier.wait(timeout=10)
                fn()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_concurrent_single_issues_never_share_a_number():
    reviewer = reviewer_user()
    workers = [WorkerFactory(status=FilingStatus.APPROVED) for _ in range(12)]
    errors = _run_in_threads(
        [lambda w=w: card_issue(worker=w, acting_user=reviewer) for w in workers]
    )
    assert errors == []
    numbers = list(
        Worker.objects.filter(pk__in=[w.pk for w in workers]).values_list("card_number", flat=True)
    )
    assert None not in numbers
    assert len(set(numbers)) == len(numbers) == 12
    assert IssuedCard.objects.count() == 12


def test_the_same_worker_issued_twice_at_once_gets_one_card():
    reviewer = reviewer_user()
    worker = WorkerFactory(status=FilingStatus.APPROVED)
    errors = _run_in_threads(
        [lambda: card_issue(worker=Worker.objects.get(pk=worker.pk), acting_user=reviewer)] * 4
    )
    assert len(errors) == 3  # the others are refused: one person, one card
    assert IssuedCard.objects.filter(worker=worker).count() == 1


def test_batches_and_single_issues_in_parallel_stay_unique():
    reviewer = reviewer_user()
    agencies = [AgencyFactory() for _ in range(3)]
    for agency in agencies:
        for _ in range(4):
            WorkerFactory(agency=agency, status=FilingStatus.APPROVED)
    singles = [WorkerFactory(status=FilingStatus.APPROVED) for _ in range(4)]
    targets = [lambda a=a: card_issue_batch(agency=a, acting_user=reviewer) for a in agencies] + [
        lambda w=w: card_issue(worker=w, acting_user=reviewer) for w in singles
    ]
    assert _run_in_threads(targets) == []
    numbers = list(IssuedCard.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 16
    # Numbers form one gapless run: the sequence row serialised every issue.
    values = sorted(int(n[len(CARD_PREFIX) :]) for n in numbers)
    assert values == list(range(values[0], values[0] + 16))


def test_filing_the_same_person_concurrently_creates_one_worker():
    from django.core.exceptions import ValidationError

    from tests.registry.factories import next_id_number

    number = next_id_number()
    agency = AgencyFactory()
    errors = _run_in_threads(
        [lambda: worker_create(name="并发", id_number=number, agency=agency)] * 4
    )
    assert Worker.objects.filter(id_last4=number[-4:]).count() == 1
    assert len(errors) == 3 and all(isinstance(e, ValidationError) for e in errors)
