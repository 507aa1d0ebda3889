"""Races on PostgreSQL with real threads: the attempt row lock gives one result, one attempt."""

import threading

from django.db import connection

import pytest

from exams import services
from exams.models import Answer, Attempt
from lms.audit import audit_entries

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(functions):
    """Run every function at the same moment in its own thread; returns results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_many_simultaneous_submits_grade_once(exam, worker, monkeypatch):
    monkeypatch.setattr("exams.services.send_task_by_name", lambda *a: None)
    attempt, _ = services.attempt_start(exam=exam, worker=worker)
    for q in attempt.questions.all():
        services.answer_save(attempt=attempt, position=q.position, selected=["A"], seq=q.position)
    results = race([lambda: services.attempt_submit(attempt=attempt)] * 8)
    assert all(isinstance(r, Attempt) for r in results), results
    assert {(r.score, r.submitted_at) for r in results} == {
        (results[0].score, results[0].submitted_at)
    }
    actions = [e.action for e in audit_entries(attempt)]
    assert actions.count("exams.attempt_submit") == 1


@pytest.mark.parametrize("round_", range(5))
def test_a_save_racing_submit_is_either_graded_or_refused_never_lost(
    exam, worker, round_, monkeypatch
):
    monkeypatch.setattr("exams.services.send_task_by_name", lambda *a: None)
    attempt, _ = services.attempt_start(exam=exam, worker=worker)
    saves = [
        (
            lambda p=q.position: services.answer_save(
                attempt=attempt, position=p, selected=["A"], seq=1
            )
        )
        for q in attempt.questions.all()
    ]
    results = race([*saves, lambda: services.attempt_submit(attempt=attempt)])
    graded = results[-1]
    assert isinstance(graded, Attempt) and graded.status == Attempt.Status.GRADED
    accepted = [r for r in results[:-1] if isinstance(r, services.SaveResult)]
    refused = [r for r in results[:-1] if isinstance(r, services.AttemptFinished)]
    assert len(accepted) + len(refused) == len(saves)
    attempt.refresh_from_db()
    # Every accepted save was graded; nothing was written after the grade.
    stored = Answer.objects.filter(attempt_question__attempt=attempt).exclude(saved_at=None)
    assert stored.count() == len(accepted)
    assert all(a.score is not None for a in stored)
    assert attempt.score == 20 * len(accepted)
    assert [e.action for e in audit_entries(attempt)].count("exams.attempt_submit") == 1


def test_two_phones_starting_at_once_get_the_same_attempt(exam, worker):
    results = race([lambda: services.attempt_start(exam=exam, worker=worker)] * 4)
    attempts = {r[0].pk for r in results if isinstance(r, tuple)}
    assert len(attempts) == 1, results
    assert Attempt.objects.filter(worker=worker).count() == 1
    assert sum(1 for r in results if r[1]) == 1


def test_concurrent_saves_of_one_answer_keep_the_highest_sequence_number(exam, worker):
    attempt, _ = services.attempt_start(exam=exam, worker=worker)
    results = race(
        [
            (
                lambda s=seq, k=key: services.answer_save(
                    attempt=attempt, position=1, selected=[k], seq=s
                )
            )
            for seq, key in [(1, "A"), (2, "B"), (3, "C"), (4, "D"), (5, "B")]
        ]
    )
    assert all(isinstance(r, services.SaveResult) for r in results), results
    answer = Answer.objects.get(attempt_question__attempt=attempt, attempt_question__position=1)
    assert (answer.seq, answer.selected) == (5, ["B"])
