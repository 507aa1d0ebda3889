"""An attempt records the worker's own address behind the proxy, not the proxy's: the
supervision rule "many workers from one address" reads it (dashboards/rules.py)."""

from django.test import Client

import pytest

from exams.models import Attempt

pytestmark = pytest.mark.django_db

BEHIND_PROXY = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.66.0.1, 203.0.113.44"}


@pytest.mark.parametrize("path", ["/me/exams/{pk}/start/", "/api/v1/exam/exams/{pk}/attempts"])
def test_a_started_attempt_records_the_client_address(settings, login_worker, worker, exam, path):
    settings.TRUSTED_PROXY_COUNT = 1
    client = login_worker(Client(), worker.user)
    response = client.post(path.format(pk=exam.pk), **BEHIND_PROXY)
    assert response.status_code in (200, 201, 302), response.content
    assert Attempt.objects.get(worker=worker).client_ip == "203.0.113.44"
