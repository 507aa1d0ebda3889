"""Every answer of /api/v1/ is JSON, and the schema describes each one an operation can give."""

from django.test import Client

import pytest

from tests.exams.factories import ExamFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_client():
    client = Client()
    client.force_login(ApprovedWorkerFactory(user=WorkerUserFactory()).user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/nope/",
        "/api/v1/exam/attempts/1/questions/extra",
        "/api/v1/verify/",
    ],
)
def test_an_unknown_api_path_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_foreign_or_missing_attempt_is_a_json_404(worker_client):
    response = worker_client.get("/api/v1/exam/attempts/987654/questions")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "未找到。"}


def test_anonymous_is_a_json_401_in_chinese(client):
    response = client.get("/api/v1/exam/attempts/1/questions")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"] == "请先登录。"


def test_a_malformed_request_is_a_json_422_with_the_fields(worker_client):
    response = worker_client.get("/api/v1/exam/attempts/abc/questions")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["errors"][0]["loc"][-1] == "attempt_id"


def test_a_missing_csrf_token_is_a_json_403(worker_client):
    exam = ExamFactory()
    client = Client(enforce_csrf_checks=True)
    client.cookies = worker_client.cookies
    response = client.post(f"/api/v1/exam/exams/{exam.pk}/attempts")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_schema_describes_every_error_answer(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "404", "422"} <= declared, (method, path, declared)
            if path.startswith("/api/v1/exam/"):
                assert {"401", "403"} <= declared, (method, path, declared)
