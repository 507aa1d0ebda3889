"""With Redis down, every page the database can answer still answers 200, only slower.

The cache is a real ``redis-server`` (tests/redis_server.py) that each test
kills and starts again: before, during and after the outage the public
portal, the verification page and API, the lookups, ``/me/`` and the login
all answer, and a signed-in worker stays signed in.
"""

import logging
import re

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse

import pytest

from registry.models import WorkerTraceLookupPage
from tests.certificates.factories import CertificateTypeFactory, issue
from tests.cms import factories as cms_factories
from tests.lms.factories import PASSWORD, WorkerUserFactory
from tests.redis_server import redis_server  # noqa: F401 - the fixture
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_cache(redis_server, settings):  # noqa: F811 - the fixture
    """Django's cache on the test's own Redis, as production configures it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "lms.cache.RedisCache",
            "LOCATION": redis_server.url(1),
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            # Short, so that the test sees Redis again soon after it is back.
            "OUTAGE_PAUSE": 0.2,
        }
    }
    return redis_server


@pytest.fixture
def site(db, django_capture_on_commit_callbacks):
    """The portal with news and a lookup page, and a worker with a login and a certificate."""
    home = cms_factories.home_page()
    index = cms_factories.news_index(home)
    news = cms_factories.news_page(index, title="停电演练通知")
    trace = WorkerTraceLookupPage(title="家政服务员信息查询", slug="trace")
    home.add_child(instance=trace)
    trace.save_revision().publish()
    worker = ApprovedWorkerFactory(user=WorkerUserFactory(), name="张小红")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(CertificateTypeFactory(), worker=worker)
    return {
        "home": home,
        "news_index": index,
        "news": news,
        "trace": trace.url,
        "worker": worker,
        "certificate": certificate,
    }


def _lookup(client, url: str, data: dict):
    """Ask the lookup the way its form does (GET or POST)."""
    form = client.get(url).content.decode()
    if re.search(r'<form[^>]*method="post"', form, re.IGNORECASE):
        return client.post(url, data)
    return client.get(url, data)


def _public_answers(client, site) -> dict[str, int]:
    token = site["certificate"].token
    card = site["worker"].card_number
    return {
        "home": client.get("/").status_code,
        "news index": client.get(site["news_index"].url).status_code,
        "news": client.get(site["news"].url).status_code,
        "verify page": client.get(f"/v/{token}/").status_code,
        "verify api": client.get(f"/api/v1/verify/{token}").status_code,
        "lookup form": client.get(site["trace"]).status_code,
        "lookup answer": _lookup(client, site["trace"], {"card_number": card}).status_code,
    }


def _all_ok(answers: dict[str, int]) -> dict[str, int]:
    """The answers that were not 200 (empty when all were)."""
    return {name: status for name, status in answers.items() if status != 200}


def test_public_pages_answer_before_during_and_after_an_outage(client, redis_cache, site):
    assert _all_ok(_public_answers(client, site)) == {}
    redis_cache.kill()
    assert _all_ok(_public_answers(client, site)) == {}
    redis_cache.start()
    assert _all_ok(_public_answers(client, site)) == {}


def test_a_signed_in_worker_stays_signed_in_and_another_can_sign_in(client, redis_cache, site):
    client.force_login(site["worker"].user)
    assert client.get("/me/").status_code == 200
    redis_cache.kill()
    me = client.get("/me/")
    assert me.status_code == 200, me.get("Location")
    newcomer = ApprovedWorkerFactory(user=WorkerUserFactory()).user
    other = client.__class__()
    response = other.post(
        reverse("accounts:login"), {"username": newcomer.phone, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert other.get("/me/").status_code == 200


def test_the_outage_is_logged_once_not_on_every_call(client, redis_cache, site, caplog):
    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="lms.cache"):
        for _ in range(3):
            client.get("/")
    warnings = [r for r in caplog.records if r.name == "lms.cache"]
    assert 1 <= len(warnings) <= 3
    assert "unreachable" in warnings[0].getMessage()


def test_sessions_live_in_the_database_only(client, site):
    """A session ended by another server process (its row deleted) is ended everywhere.

    With sessions read from a per-process cache first, another gunicorn
    worker kept serving its copy of a session signed out elsewhere.
    """
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    client.force_login(site["worker"].user)
    assert client.get("/me/").status_code == 200
    Session.objects.all().delete()  # signed out by another process
    response = client.get("/me/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
