"""Every operation of /api/v1/ answers as its live OpenAPI schema says (schemathesis).

Run anonymously and as a signed-in worker with an attempt in progress (session
cookie and CSRF token), over all operations of the schema the app serves. No
answer may be a 5xx, undeclared, or off its declared schema. Rate limits are
raised for the run so that 429s do not starve it.
"""

from django.core import signals
from django.db import close_old_connections
from django.test import Client, override_settings

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from lms.wsgi import application
from tests.exams.factories import ExamFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
HIGH_CEILING = "100000/m"

pytestmark = pytest.mark.django_db


# Loaded from the app as it serves it (serving the schema reads no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def connection_kept_across_requests():
    """The WSGI app runs inside the test's transaction, as under Django's test client.

    Django closes the connection when a request finishes; under PostgreSQL that
    ended the test's transaction after the first request. Asked for after any
    fixture that uses the test client, which connects the handlers again.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def high_rate_limits():
    with override_settings(PUBLIC_LOOKUP_RATE=HIGH_CEILING, PUBLIC_SEARCH_RATE=HIGH_CEILING):
        yield


@pytest.fixture
def signed_in_worker(db):
    """Cookies and CSRF header of a worker with an attempt in progress."""
    worker = ApprovedWorkerFactory(user=WorkerUserFactory())
    exam = ExamFactory()
    client = Client()
    client.force_login(worker.user)
    client.get("/me/exams/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    started = client.post(f"/api/v1/exam/exams/{exam.pk}/attempts", HTTP_X_CSRFTOKEN=token)
    assert started.status_code == 201
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return {"cookies": cookies, "headers": {"X-CSRFToken": token}}


EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@EXAMPLES
def test_anonymous_answers_follow_the_schema(
    case, high_rate_limits, connection_kept_across_requests
):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@EXAMPLES
def test_signed_in_worker_answers_follow_the_schema(
    case, high_rate_limits, signed_in_worker, connection_kept_across_requests
):
    case.call_and_validate(
        checks=CHECKS,
        headers=signed_in_worker["headers"],
        cookies=signed_in_worker["cookies"],
    )
