"""A few pending requests per client (the address counted from the right of X-Forwarded-For),
and a worker who refuses all requests for a day."""

import datetime

from django.utils import timezone

import pytest
import time_machine

from consent.models import ConsentRequest
from tests.consent.conftest import ask

pytestmark = pytest.mark.django_db


def test_one_client_has_only_a_few_pending_requests(settings, household, certificate):
    settings.CONSENT_PENDING_PER_CLIENT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    household.defaults["REMOTE_ADDR"] = "10.0.0.2"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(2):
            # A forged left-hand X-Forwarded-For entry does not make a new client.
            household.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}, 203.0.113.5"
            assert ask(household, certificate).status_code == 302
        refused = ask(household, certificate)
        assert refused.status_code == 429
        assert "请求在等待答复" in refused.content.decode()
        assert ConsentRequest.objects.count() == 2
        # Another client is not affected.
        household.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.6"
        assert ask(household, certificate).status_code == 302
        # Once the pending ones expire, the first client may ask again.
        clock.shift(datetime.timedelta(minutes=3))
        household.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
        assert ask(household, certificate).status_code == 302


def test_a_worker_refuses_all_requests_for_a_day(household, worker_client, certificate):
    ask(household, certificate)
    waiting = ConsentRequest.objects.get()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        worker_client.post("/me/consent/pause/", {"on": "1"})
        waiting.refresh_from_db()
        assert waiting.status == ConsentRequest.Status.REFUSED
        response = ask(household, certificate)
        assert response.status_code == 200
        assert "暂时不接受" in response.content.decode()
        assert "恢复接受请求" in worker_client.get("/me/views/").content.decode()
        clock.shift(datetime.timedelta(hours=25))
        assert ask(household, certificate).status_code == 302


def test_asking_needs_a_post_from_this_site(client, certificate):
    assert client.get("/consent/ask/").status_code == 405
    cross = client.post(
        "/consent/ask/", {"certificate": certificate.token}, HTTP_ORIGIN="https://evil.example"
    )
    assert cross.status_code == 403
    assert not ConsentRequest.objects.exists()


def test_an_unknown_certificate_is_a_404(household):
    assert household.post("/consent/ask/", {"certificate": "nope"}).status_code == 404
