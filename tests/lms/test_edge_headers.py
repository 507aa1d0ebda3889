"""Cache-Control per kind of answer: public at the edge only when it is everyone's."""

from django.test import Client

import pytest

from tests.cms import factories as cms
from tests.dashboards.factories import CertificateFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

PORTAL = "public, max-age=60, s-maxage=600"
VERIFY = "public, max-age=0, s-maxage=60"


@pytest.fixture
def portal(db):
    home = cms.home_page()
    index = cms.news_index(home)
    return {
        "home": home,
        "index": index,
        "news": cms.news_page(index, body_text="正文"),
        "standard": cms.standard_page(home),
    }


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize(
    "which", ["home", "index", "news", "standard", "feed", "sitemap", "robots"]
)
def test_anonymous_portal_answers_are_public_and_vary_by_language(client, portal, which):
    url = {
        "feed": portal["index"].url + "feed/rss/",
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
    }.get(which) or portal[which].url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == PORTAL
    assert {"accept-language", "cookie"} <= vary(response)
    assert not response.cookies
    assert "X-Edge-Cache-Kind" not in response


def test_the_ages_come_from_settings(client, portal, settings):
    settings.CACHE_MAX_AGE = 30
    settings.CACHE_S_MAXAGE = 900
    assert client.get("/")["Cache-Control"] == "public, max-age=30, s-maxage=900"


def test_a_signed_in_user_gets_every_page_private(client, portal):
    worker = ApprovedWorkerFactory(user=WorkerUserFactory())
    client.force_login(worker.user)
    for url in ("/", portal["news"].url, "/me/"):
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "public" not in cache_control, url


def test_a_page_that_sets_a_cookie_is_private(client, portal):
    response = client.get("/language/", {"language": "en", "next": "/"})
    assert response.cookies
    assert "public" not in response.get("Cache-Control", "")


def test_an_unmarked_answer_without_headers_is_private(client):
    # The health check sets nothing itself: no shared cache may guess.
    assert "public" not in client.get("/health/live").get("Cache-Control", "private")


def test_verify_answers_are_public_briefly_and_revalidated(client, db):
    certificate = CertificateFactory()
    for url in (f"/v/{certificate.token}/", f"/api/v1/verify/{certificate.token}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == VERIFY, url
        assert {"accept-language", "cookie"} <= vary(response)
    unknown = client.get("/api/v1/verify/" + "x" * 32)
    assert unknown.status_code == 404 and unknown["Cache-Control"] == VERIFY


def test_verify_never_longer_than_a_minute_at_the_edge(client, db, settings):
    settings.VERIFY_S_MAXAGE = 600
    certificate = CertificateFactory()
    assert (
        client.get(f"/v/{certificate.token}/")["Cache-Control"] == "public, max-age=0, s-maxage=60"
    )


def test_verify_for_a_signed_in_visitor_is_private(db):
    certificate = CertificateFactory()
    client = Client()
    client.force_login(WorkerUserFactory())
    response = client.get(f"/v/{certificate.token}/")
    assert "private" in response["Cache-Control"]


def test_a_rate_limited_answer_is_never_public(client, db, settings):
    settings.PUBLIC_LOOKUP_RATE = "1/m"
    certificate = CertificateFactory()
    client.get(f"/api/v1/verify/{certificate.token}")
    limited = client.get(f"/api/v1/verify/{certificate.token}")
    assert limited.status_code == 429
    assert "public" not in limited.get("Cache-Control", "")
