"""Submitting grades in a fixed number of statements, whatever the number of questions."""

import json

from django.test import Client

import pytest

from exams.models import Answer, Attempt
from lms.audit import audit_entries

API = "/api/v1/exam"


@pytest.mark.parametrize("exam_fixture", ["exam", "mixed_exam"])
def test_a_submit_request_is_a_fixed_number_of_statements(
    request, exam_fixture, login_worker, worker, django_assert_max_num_queries
):
    exam = request.getfixturevalue(exam_fixture)
    client = login_worker(Client(), worker.user)
    attempt = client.post(f"{API}/exams/{exam.pk}/attempts").json()
    first = attempt["questions"][0]
    client.put(
        f"{API}/attempts/{attempt['id']}/answers/{first['position']}",
        json.dumps({"selected": [first["choices"][0]["key"]], "seq": 1}),
        content_type="application/json",
    )
    # Login (the session row: sessions live in the database only), transaction (2), lock
    # with exam and worker, questions with answers, scores of saved answers, rows of
    # unanswered ones, attempt, audit entry, the result's questions.
    with django_assert_max_num_queries(11):
        response = client.post(f"{API}/attempts/{attempt['id']}/submit")
    assert response.status_code == 200
    graded = Attempt.objects.get(pk=attempt["id"])
    assert graded.status == Attempt.Status.GRADED
    answers = Answer.objects.filter(attempt_question__attempt=graded)
    assert answers.count() == len(attempt["questions"])
    assert not answers.filter(score=None).exists()
    saved = answers.get(attempt_question__position=first["position"])
    assert (saved.seq, saved.saved_at is not None) == (1, True)
    assert [e.action for e in audit_entries(graded)].count("exams.attempt_submit") == 1
