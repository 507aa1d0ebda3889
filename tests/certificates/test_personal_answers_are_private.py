"""A worker's own pages and files, and a certificate lookup's answer, are personal: no shared
cache (a proxy, a CDN) or browser disk cache may keep them, and no search engine may index them."""

import pytest

pytestmark = pytest.mark.django_db


def _assert_private(response):
    assert response.status_code == 200, response.status_code
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    "path",
    [
        "/me/certificates/",
        "/me/certificates/{pk}/certificate.pdf",
        "/me/certificates/{pk}/card.pdf",
        "/me/exams/",
    ],
)
def test_a_workers_own_pages_and_files_are_private(client, login_worker, certificate, path):
    login_worker(client, certificate.worker.user)
    _assert_private(client.get(path.format(pk=certificate.pk)))


def test_an_exam_of_the_worker_is_private(client, login_worker, certificate):
    from tests.exams.factories import ExamFactory

    exam = ExamFactory()
    login_worker(client, certificate.worker.user)
    _assert_private(client.get(f"/me/exams/{exam.pk}/"))


def test_a_certificate_lookup_answer_is_private(client, certificate):
    from wagtail.models import Site

    from certificates.models import CertificateLookupPage

    page = CertificateLookupPage(title="证书查询", slug="certificate-lookup")
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    hit = client.post(page.url, {"number": certificate.number, "name": certificate.worker.name})
    assert certificate.number in hit.content.decode()
    _assert_private(hit)
    _assert_private(client.post(page.url, {"number": certificate.number, "name": "某某某"}))
