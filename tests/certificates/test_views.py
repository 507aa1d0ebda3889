"""The public verification page, the API, the lookup page, and the worker's own downloads."""

import gzip
import re
import secrets

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import override_settings

import pytest

from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from tests.care import without_care_scripts
from tests.certificates.factories import issue
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


def verify_url(certificate):
    return f"/v/{certificate.token}/"


def assert_no_pii(text: str, worker) -> None:
    assert not ID_NUMBER.search(text), "an ID number leaked"
    assert not PHONE.search(text), "a phone number leaked"
    assert worker.name not in text, "the full name leaked"
    assert worker.id_number not in text


def test_valid_certificate_shows_a_big_valid_status_and_masked_facts(client, certificate):
    response = client.get(verify_url(certificate))
    assert response.status_code == 200
    html = response.content.decode()
    assert "有效" in html and "status--ok" in html
    assert certificate.number in html
    assert "张*红" in html
    assert certificate.agency.name in html
    assert "上海市商务委员会" in html
    assert "信用良好" in html
    assert "<script" not in without_care_scripts(html)
    # Public at the edge briefly (purged on every change), revalidated by browsers.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"


def test_verify_page_has_no_personal_data_in_html_or_attributes(client, certificate):
    html = client.get(verify_url(certificate)).content.decode()
    assert_no_pii(html, certificate.worker)


def test_verify_page_is_tiny(client, certificate):
    html = client.get(verify_url(certificate)).content
    css_path = finders.find("css/site.css")
    with open(css_path, "rb") as fh:
        css = fh.read()
    assert len(html) < 10_000
    # What a phone downloads: whitenoise serves the compressed files.
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 30_000


def test_revocation_shows_on_the_very_next_request(client, certificate):
    assert "有效" in client.get(verify_url(certificate)).content.decode()
    certificate_revoke(certificate=certificate, acting_user=None, reason="严重违规")
    html = client.get(verify_url(certificate)).content.decode()
    assert "已撤销" in html and "status--bad" in html
    api = client.get(f"/api/v1/verify/{certificate.token}").json()
    assert api["status"] == "revoked" and api["revoked_on"]


def test_expired_and_superseded_statuses(client, certificate, time_machine):
    certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")
    assert "已被新证书取代" in client.get(verify_url(certificate)).content.decode()
    certificate.refresh_from_db()
    new = certificate.superseded_by
    time_machine.move_to(new.expires_on.replace(year=new.expires_on.year + 1).isoformat())
    assert "已过期" in client.get(verify_url(new)).content.decode()
    assert client.get(f"/api/v1/verify/{new.token}").json()["status"] == "expired"


@pytest.mark.parametrize("path", ["/v/{token}/", "/api/v1/verify/{token}"])
def test_every_miss_is_the_same_404(client, certificate, path):
    misses = [
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(24),
        certificate.token[:-1] + ("A" if certificate.token[-1] != "A" else "B"),
        "short",
        "%3Cscript%3E",
        certificate.number,
    ]
    bodies = set()
    for token in misses:
        response = client.get(path.format(token=token))
        assert response.status_code == 404
        bodies.add(response.content)
    assert len(bodies) == 1
    assert certificate.number.encode() not in bodies.pop()


def test_api_returns_the_contract_fields_masked(client, certificate):
    response = client.get(f"/api/v1/verify/{certificate.token}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "valid"
    assert data["number"] == certificate.number
    assert data["type"] == "上门服务证"
    assert data["holder_name"] == "张*红"
    assert data["issued_on"] == certificate.issued_on.isoformat()
    assert data["expires_on"] == certificate.expires_on.isoformat()
    assert data["issuer"] == "上海市商务委员会"
    assert data["agency"] == certificate.agency.name
    assert_no_pii(response.content.decode(), certificate.worker)


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/verify/{token}" in schema["paths"]


@override_settings(PUBLIC_LOOKUP_RATE="3/m")
@pytest.mark.parametrize("path", ["/v/{token}/", "/api/v1/verify/{token}"])
def test_verification_is_rate_limited_per_client(client, certificate, path):
    url = path.format(token=certificate.token)
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_photo_is_served_for_the_token_only(client, certificate):
    response = client.get(f"/v/{certificate.token}/photo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(f"/v/{secrets.token_urlsafe(24)}/photo/").status_code == 404


# --- the worker's own certificates -----------------------------------------------


def test_worker_sees_own_certificates_with_qr_and_downloads(client, login_worker, certificate):
    login_worker(client, certificate.worker.user)
    response = client.get("/me/certificates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert certificate.number in html and "<svg" in html
    assert 'worker-nav__link worker-nav__link--active" href="/me/certificates/' in html
    pdf = client.get(f"/me/certificates/{certificate.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    card = client.get(f"/me/certificates/{certificate.pk}/card.pdf")
    assert card.status_code == 200


def test_another_workers_certificate_is_a_404(client, login_worker, certificate):
    other = ApprovedWorkerFactory(user=WorkerUserFactory())
    login_worker(client, other.user)
    assert client.get(f"/me/certificates/{certificate.pk}/certificate.pdf").status_code == 404
    assert client.get(f"/me/certificates/{certificate.pk}/card.pdf").status_code == 404
    assert certificate.number not in client.get("/me/certificates/").content.decode()


def test_a_login_without_worker_gets_404_and_anonymous_must_sign_in(client, certificate):
    assert client.get("/me/certificates/").status_code == 302
    client.force_login(WorkerUserFactory())
    assert client.get("/me/certificates/").status_code == 404


def test_worker_list_keeps_query_count_flat(
    client, login_worker, cert_type, holder, django_assert_max_num_queries
):
    for _ in range(3):
        issue(cert_type, worker=holder)
    login_worker(client, holder.user)
    with django_assert_max_num_queries(12):
        assert client.get("/me/certificates/").status_code == 200


# --- lookup by number and name -----------------------------------------------------


@pytest.fixture
def lookup_page(db):
    from wagtail.models import Site

    from certificates.models import CertificateLookupPage

    root = Site.objects.get(is_default_site=True).root_page
    page = CertificateLookupPage(title="证书查询", slug="certificate-lookup")
    root.add_child(instance=page)
    return page


def test_lookup_by_number_and_full_name(client, lookup_page, certificate):
    url = lookup_page.url
    hit = client.post(url, {"number": certificate.number.lower(), "name": "张小红"})
    assert hit.status_code == 200
    html = hit.content.decode()
    assert "有效" in html and certificate.number in html
    assert_no_pii(html, certificate.worker)
    miss = client.post(url, {"number": certificate.number, "name": "张小明"}).content.decode()
    assert "没有找到" in miss and "status-banner" not in miss


def test_the_empty_lookup_page_is_indexable_and_results_are_not(client, lookup_page, certificate):
    empty = client.get(lookup_page.url).content.decode()
    assert '<meta name="robots" content="index">' in empty
    assert '<meta property="og:title" content="证书查询">' in empty
    result = client.post(lookup_page.url, {"number": certificate.number, "name": "张小红"})
    html = result.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "og:title" not in html


def test_lookup_is_rate_limited(client, lookup_page, certificate):
    with override_settings(PUBLIC_LOOKUP_RATE="2/m"):
        codes = [
            client.post(lookup_page.url, {"number": "SH-X-2026-000001", "name": "某"}).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]


def test_site_url_is_what_the_qr_code_carries(certificate):
    from certificates.selectors.lookup import verify_url as absolute

    assert absolute(certificate.token) == f"{settings.SITE_URL}/v/{certificate.token}/"
