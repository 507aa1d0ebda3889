"""Autosave is one short transaction: a bounded number of queries, every rule checked."""

import json
import random

from django.test import Client

import pytest

from exams import services
from exams.models import Answer, Attempt

API = "/api/v1/exam"


def start(exam, worker):
    return services.attempt_start(exam=exam, worker=worker, rng=random.Random(1))[0]


def stored(attempt, position):
    return Answer.objects.filter(
        attempt_question__attempt=attempt, attempt_question__position=position
    ).first()


# The lock on the attempt, the question with its answer, the write (and the savepoint).
SAVE_QUERIES = 5


def test_a_new_answer_and_a_newer_one_are_a_few_queries_each(
    exam, worker, django_assert_max_num_queries
):
    attempt = start(exam, worker)
    with django_assert_max_num_queries(SAVE_QUERIES):
        first = services.answer_save(
            attempt=attempt, position=1, selected=["B"], seq=1, owner=worker.user
        )
    with django_assert_max_num_queries(SAVE_QUERIES):
        newer = services.answer_save(
            attempt=attempt, position=1, selected=["C"], seq=2, owner=worker.user
        )
    assert (first.outcome, newer.outcome) == ("saved", "saved")
    assert newer.attempt.deadline == Attempt.objects.get(pk=attempt.pk).deadline
    answer = stored(attempt, 1)
    assert (answer.selected, answer.seq, answer.saved_at) == (["C"], 2, newer.saved_at)


def test_several_keys_are_stored_for_a_multiple_choice_question(
    mixed_exam, worker, django_assert_max_num_queries
):
    attempt = start(mixed_exam, worker)
    multiple = attempt.questions.filter(type="multiple").first()
    keys = [c["key"] for c in multiple.choices][:2]
    with django_assert_max_num_queries(SAVE_QUERIES):
        result = services.answer_save(
            attempt=attempt, position=multiple.position, selected=keys, seq=1
        )
    assert result.outcome == "saved"
    assert stored(attempt, multiple.position).selected == sorted(keys)


def test_another_workers_attempt_is_not_found_and_nothing_is_written(exam, worker, other_worker):
    attempt = start(exam, worker)
    with pytest.raises(Attempt.DoesNotExist):
        services.answer_save(
            attempt=attempt, position=1, selected=["A"], seq=1, owner=other_worker.user
        )
    assert stored(attempt, 1) is None


@pytest.mark.parametrize("seq", [True, 2**31, -1])
def test_a_sequence_number_out_of_range_is_refused(exam, worker, seq):
    attempt = start(exam, worker)
    with pytest.raises(services.InvalidAnswer):
        services.answer_save(attempt=attempt, position=1, selected=["A"], seq=seq)
    assert stored(attempt, 1) is None


def test_the_save_request_needs_the_login_and_a_few_queries(
    login_worker, exam, worker, django_assert_max_num_queries
):
    client = login_worker(Client(), worker.user)
    attempt = client.post(f"{API}/exams/{exam.pk}/attempts").json()["id"]
    url = f"{API}/attempts/{attempt}/answers/1"
    # Django's session check (the session row, the user: sessions live in the database
    # only), then the save.
    with django_assert_max_num_queries(2 + SAVE_QUERIES):
        response = client.put(
            url, json.dumps({"selected": ["A"], "seq": 1}), content_type="application/json"
        )
    assert response.status_code == 200
    assert response.json()["outcome"] == "saved"
    huge = client.put(
        url, json.dumps({"selected": ["A"], "seq": 2**31}), content_type="application/json"
    )
    assert huge.status_code == 422
