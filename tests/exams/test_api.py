"""The exam client's JSON API: auth, CSRF, IDOR, never leaking answers, time-up, sequence numbers."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from exams.models import Answer, Attempt
from registry.models import CreditRecord
from tests.exams.factories import AttemptFactory, PassedAttemptFactory
from tests.lms.factories import StaffUserFactory, WorkerUserFactory
from tests.registry.factories import CreditRecordFactory

API = "/api/v1/exam"
T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture
def client_of(login_worker):
    def _client(worker):
        return login_worker(Client(), worker.user)

    return _client


def put(client, url, body, **extra):
    return client.put(url, json.dumps(body), content_type="application/json", **extra)


def start(client, exam):
    response = client.post(f"{API}/exams/{exam.pk}/attempts")
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_start_returns_the_questions_without_any_answer_key(client_of, exam, worker):
    data = start(client_of(worker), exam)
    assert len(data["questions"]) == 5
    assert data["deadline"] and data["server_now"]
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("correct", "explanation", "先核对身份是上门服务的基本规范"):
        assert secret not in text
    assert set(data["questions"][0]) == {
        "position",
        "type",
        "stem",
        "image_url",
        "choices",
        "points",
    }


def test_start_is_201_then_200_when_resuming(client_of, exam, worker):
    client = client_of(worker)
    first = client.post(f"{API}/exams/{exam.pk}/attempts")
    second = client.post(f"{API}/exams/{exam.pk}/attempts")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_a_refused_start_is_403_with_each_reason_in_chinese(client_of, exam, worker):
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
    response = client_of(worker).post(f"{API}/exams/{exam.pk}/attempts")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "not_eligible"
    assert body["reasons"][0]["code"] == "blacklisted"
    assert "黑名单" in body["reasons"][0]["message"]


def test_questions_before_finishing_never_contain_the_answers(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    put(client, f"{API}/attempts/{attempt_id}/answers/1", {"selected": ["A"], "seq": 1})
    data = client.get(f"{API}/attempts/{attempt_id}/questions").json()
    text = json.dumps(data, ensure_ascii=False)
    assert "correct" not in text and "explanation" not in text
    assert data["answers"] == {"1": {"selected": ["A"], "seq": 1}}
    assert data["last_seq"] == 1


def test_result_before_finishing_is_refused(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    response = client.get(f"{API}/attempts/{attempt_id}/result")
    assert response.status_code == 409
    assert response.json()["code"] == "not_finished"


def test_save_reports_the_outcome_and_resyncs_the_clock(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    url = f"{API}/attempts/{attempt_id}/answers/2"
    first = put(client, url, {"selected": ["C"], "seq": 5}).json()
    late = put(client, url, {"selected": ["B"], "seq": 4}).json()
    retry = put(client, url, {"selected": ["C"], "seq": 5}).json()
    assert (first["outcome"], late["outcome"], retry["outcome"]) == ("saved", "stale", "duplicate")
    assert late["selected"] == ["C"] and late["seq"] == 5 and late["applied"] is False
    assert {"deadline", "server_now", "seconds_left", "status"} <= set(first)


def test_a_saved_answer_is_exactly_the_declared_schema(client_of, exam, worker):
    """The save's body is rendered without ninja's validation: it must still be AnswerOut."""
    from exams.api import AnswerOut

    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    response = put(client, f"{API}/attempts/{attempt_id}/answers/1", {"selected": ["A"], "seq": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == set(AnswerOut.model_fields)
    assert AnswerOut.model_validate(body).model_dump(mode="json").keys() == body.keys()
    assert body["selected"] == ["A"] and body["applied"] is True and body["seq"] == 1


def test_a_forged_client_time_changes_nothing(client_of, exam, worker, settings):
    settings.EXAMS_SAVE_GRACE_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        client = client_of(worker)
        attempt_id = start(client, exam)["id"]
        url = f"{API}/attempts/{attempt_id}/answers/1"
        put(client, url, {"selected": ["B"], "seq": 1, "client_time": "2000-01-01T00:00:00Z"})
    attempt = Attempt.objects.get(pk=attempt_id)
    with time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False):
        response = put(
            client,
            url,
            {"selected": ["A"], "seq": 2, "client_time": (T0 + timedelta(minutes=1)).isoformat()},
            HTTP_DATE="Mon, 02 Mar 2026 01:01:00 GMT",
        )
    assert response.status_code == 409
    assert response.json()["code"] == "time_up"
    assert "时间已到" in response.json()["detail"]
    answer = Answer.objects.get(
        attempt_question__attempt_id=attempt_id, attempt_question__position=1
    )
    assert (answer.selected, answer.seq) == (["B"], 1)
    assert Attempt.objects.get(pk=attempt_id).deadline == attempt.deadline


def test_after_time_up_the_result_is_available(client_of, exam, worker):
    with time_machine.travel(T0, tick=False):
        client = client_of(worker)
        attempt_id = start(client, exam)["id"]
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        response = client.get(f"{API}/attempts/{attempt_id}/result")
    assert response.status_code == 200
    assert response.json()["auto_submitted"] is True


def test_submit_twice_returns_the_same_single_result(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    first = client.post(f"{API}/attempts/{attempt_id}/submit").json()
    second = client.post(f"{API}/attempts/{attempt_id}/submit").json()
    assert first == second
    assert first["status"] == "graded"


def test_the_result_follows_the_review_mode(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    put(client, f"{API}/attempts/{attempt_id}/answers/1", {"selected": ["A"], "seq": 1})
    result = client.post(f"{API}/attempts/{attempt_id}/submit").json()
    assert result["questions"][0]["explanation"]
    assert result["questions"][0]["correct_labels"]

    exam.review = "answers"
    exam.save()
    result = client.get(f"{API}/attempts/{attempt_id}/result").json()
    assert result["questions"][0]["explanation"] == ""
    assert result["questions"][0]["correct_labels"]

    exam.review = "score"
    exam.save()
    result = client.get(f"{API}/attempts/{attempt_id}/result").json()
    assert result["questions"] == []
    assert result["score"] == 20


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/attempts/{id}/questions"),
        ("put", "/attempts/{id}/answers/1"),
        ("post", "/attempts/{id}/submit"),
        ("get", "/attempts/{id}/result"),
    ],
)
def test_another_workers_attempt_is_404_on_every_url(client_of, worker, other_worker, method, path):
    theirs = AttemptFactory(worker=other_worker)
    graded = PassedAttemptFactory(worker=other_worker)
    client = client_of(worker)
    for attempt in (theirs, graded):
        url = API + path.format(id=attempt.pk)
        if method == "put":
            response = put(client, url, {"selected": ["A"], "seq": 1})
        else:
            response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)
    missing = API + path.format(id=999999)
    response = (
        put(client, missing, {"selected": ["A"], "seq": 1})
        if method == "put"
        else getattr(client, method)(missing)
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Attempt.Status.IN_PROGRESS
    assert not Answer.objects.filter(attempt_question__attempt=theirs).exists()


def test_a_login_that_is_no_worker_gets_404(exam, login_staff):
    client = login_staff(Client(), StaffUserFactory())
    assert client.post(f"{API}/exams/{exam.pk}/attempts").status_code == 404
    plain = Client()
    plain.force_login(WorkerUserFactory())
    assert plain.post(f"{API}/exams/{exam.pk}/attempts").status_code == 404


def test_anonymous_requests_are_401(exam):
    assert Client().post(f"{API}/exams/{exam.pk}/attempts").status_code == 401
    assert Client().get(f"{API}/attempts/1/questions").status_code == 401


def test_unsafe_methods_need_the_csrf_token(exam, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker.user)
    refused = client.post(f"{API}/exams/{exam.pk}/attempts")
    assert refused.status_code == 403
    assert not Attempt.objects.filter(worker=worker).exists()

    client.get("/me/exams/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{API}/exams/{exam.pk}/attempts", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    attempt_id = response.json()["id"]
    no_token = put(client, f"{API}/attempts/{attempt_id}/answers/1", {"selected": ["A"], "seq": 1})
    assert no_token.status_code == 403
    with_token = put(
        client,
        f"{API}/attempts/{attempt_id}/answers/1",
        {"selected": ["A"], "seq": 1},
        HTTP_X_CSRFTOKEN=token,
    )
    assert with_token.status_code == 200


def test_invalid_answers_are_422_with_a_reason(client_of, exam, worker):
    client = client_of(worker)
    attempt_id = start(client, exam)["id"]
    response = put(client, f"{API}/attempts/{attempt_id}/answers/1", {"selected": ["Z"], "seq": 1})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_answer"


def test_the_schema_documents_the_exam_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert "/api/v1/exam/attempts/{attempt_id}/answers/{position}" in paths
    assert "/api/v1/exam/exams/{exam_id}/attempts" in paths
