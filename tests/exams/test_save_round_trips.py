"""Autosave in one statement: a new answer costs one query, and the database checks every rule."""

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


def test_a_new_answer_and_a_newer_one_are_one_statement_each(
    exam, worker, django_assert_max_num_queries
):
    attempt = start(exam, worker)
    with django_assert_max_num_queries(1):
        first = services.answer_save(
            attempt=attempt, position=1, selected=["B"], seq=1, owner=worker.user
        )
    with django_assert_max_num_queries(1):
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
    with django_assert_max_num_queries(1):
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


def test_the_save_request_needs_the_login_and_one_statement(
    login_worker, exam, worker, django_assert_max_num_queries
):
    client = login_worker(Client(), worker.user)
    attempt = client.post(f"{API}/exams/{exam.pk}/attempts").json()["id"]
    url = f"{API}/attempts/{attempt}/answers/1"
    # Django's session check (the session row, the user: sessions live in the database
    # only), then the one statement; later saves prove the login in the statement itself.
    with django_assert_max_num_queries(3):
        response = client.put(
            url, json.dumps({"selected": ["A"], "seq": 1}), content_type="application/json"
        )
    assert response.status_code == 200
    assert response.json()["outcome"] == "saved"
    huge = client.put(
        url, json.dumps({"selected": ["A"], "seq": 2**31}), content_type="application/json"
    )
    assert huge.status_code == 422


@pytest.mark.postgres  # a closed connection: PostgreSQL's errors (SQLite runs no health check)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_save_is_its_own_connection_health_check(exam, worker, monkeypatch):
    """With CONN_HEALTH_CHECKS, no SELECT 1 before the save; a dead connection is replaced."""
    from django.db import connections

    connection = connections["default"]
    attempt = start(exam, worker)
    connection.ensure_connection()
    pings = []
    is_usable = type(connection).is_usable
    monkeypatch.setattr(type(connection), "is_usable", lambda c: pings.append(1) or is_usable(c))
    enabled = connection.health_check_enabled
    connection.health_check_enabled, connection.health_check_done = True, False
    try:
        services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)
        assert pings == []
        connection.health_check_done = False
        connection.connection.close()  # the server went away between two requests
        result = services.answer_save(attempt=attempt, position=1, selected=["B"], seq=2)
    finally:
        connection.health_check_enabled = enabled
    assert pings == [1]
    assert result.outcome == "saved"
    assert stored(attempt, 1).selected == ["B"]


@pytest.mark.postgres  # server-side prepared statements are PostgreSQL's
def test_the_save_statement_is_prepared_once_per_connection(exam, worker):
    """The server plans the save once per connection, not for every answer."""
    from django.db import connection

    attempt = start(exam, worker)
    for seq in (1, 2, 3):
        services.answer_save(attempt=attempt, position=1, selected=["A"], seq=seq)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%INSERT INTO exams_answer%"],
        )
        prepared = cursor.fetchone()[0]
    assert prepared == 1
    assert stored(attempt, 1).seq == 3
