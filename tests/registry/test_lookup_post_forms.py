"""The public lookups post their forms: a name, an ID tail or a holder's name never goes into a
URL (access logs, proxy logs, browser history); the answer comes in the POST's own response,
private and not indexed. The empty form carries no CSRF token (so the page is the same for
everyone and public at the edge); its POST is accepted from this site's pages only (Origin,
else Referer: lms/origin.py), and refused in Chinese from anywhere else."""

import re

from django.test import Client

import pytest

from tests.registry.factories import ApprovedWorkerFactory

from .test_public_lookups import assert_no_pii

pytestmark = pytest.mark.django_db

ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"')
ORIGIN = "http://testserver"
URLS = re.compile(r'(?:href|action|src)="([^"]*)"')


@pytest.fixture
def household():
    """A phone with no account, whose browser enforces CSRF as a real one does."""
    return Client(enforce_csrf_checks=True)


def _form_action(response) -> str:
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    return ACTION.search(html).group(1)


def _post_from_the_page(household, page, data, **headers):
    empty = household.get(page.url)
    assert empty["Cache-Control"].startswith("public")  # the same for everyone
    assert not empty.cookies
    headers.setdefault("HTTP_ORIGIN", ORIGIN)  # what a browser sends with a form's POST
    return household.post(_form_action(empty), data, **headers)


def _assert_private_answer(response):
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Robots-Tag"] == "noindex"


def _assert_no_personal_url(response, *personal):
    assert not response.request.get("QUERY_STRING")
    assert "Location" not in response
    for url in URLS.findall(response.content.decode()):
        for value in personal:
            assert value not in url, (value, url)


def test_a_lookup_by_name_and_id_tail_posts_and_is_answered_privately(household, trace_page):
    worker = ApprovedWorkerFactory(name="陈美华")
    answer = _post_from_the_page(
        household, trace_page, {"name": worker.name, "id_last4": worker.id_last4}
    )
    _assert_private_answer(answer)
    html = answer.content.decode()
    assert "陈*华" in html
    assert_no_pii(html, worker)
    _assert_no_personal_url(answer, worker.name, worker.id_last4)
    # The page answers with a fresh empty form, ready for the next lookup.
    assert _form_action(answer)


def test_a_post_from_the_sites_own_page_by_referer_is_answered(household, trace_page):
    worker = ApprovedWorkerFactory()
    data = {"name": worker.name, "id_last4": worker.id_last4}
    answer = _post_from_the_page(
        household, trace_page, data, HTTP_ORIGIN="null", HTTP_REFERER=ORIGIN + trace_page.url
    )
    _assert_private_answer(answer)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_REFERER": "https://evil.example/form"},
        {},  # neither: a browser always sends one with a form's POST
    ],
)
def test_a_post_from_another_site_is_refused_in_chinese(household, trace_page, headers):
    worker = ApprovedWorkerFactory()
    action = _form_action(household.get(trace_page.url))
    refused = household.post(action, {"name": worker.name, "id_last4": worker.id_last4}, **headers)
    assert refused.status_code == 403
    assert "页面已过期" in refused.content.decode()
    assert worker.name not in refused.content.decode()


def test_a_trusted_origin_may_post(household, trace_page, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://jz.example.cn"]
    worker = ApprovedWorkerFactory()
    answer = _post_from_the_page(
        household,
        trace_page,
        {"name": worker.name, "id_last4": worker.id_last4},
        HTTP_ORIGIN="https://jz.example.cn",
    )
    _assert_private_answer(answer)


def test_the_post_endpoints_answer_only_for_a_live_lookup_page(household, trace_page):
    action = _form_action(household.get(trace_page.url))
    assert household.get(action).status_code == 405
    trace_page.unpublish()
    assert household.post(action, {"card_number": "X"}, HTTP_ORIGIN=ORIGIN).status_code == 404


def test_names_in_a_query_string_are_not_looked_up(client, trace_page):
    worker = ApprovedWorkerFactory()
    response = client.get(trace_page.url, {"name": worker.name, "id_last4": worker.id_last4})
    html = response.content.decode()
    assert response.status_code == 200
    assert "lookup__results" not in html
    assert worker.name not in html


def test_post_answers_are_always_private(client, trace_page):
    worker = ApprovedWorkerFactory()
    for data in ({"card_number": worker.card_number},) * 3 + (
        {"name": worker.name, "id_last4": worker.id_last4},
    ) * 3:
        _assert_private_answer(client.post(trace_page.url, data))


def test_a_card_number_deep_link_still_answers_and_carries_nothing_personal(client, trace_page):
    worker = ApprovedWorkerFactory(name="李秀英")
    response = client.get(trace_page.url, {"card_number": worker.card_number})
    _assert_private_answer(response)
    html = response.content.decode()
    assert "李*英" in html
    # A deep link's answer shows no form, but a way back to it.
    assert "csrfmiddlewaretoken" not in html
    assert f'href="{trace_page.url}"' in html
    assert_no_pii(html, worker)


def test_the_agency_lookup_posts_too(household, agency_page):
    from tests.registry.factories import AgencyFactory

    agency = AgencyFactory(name="上海邮递家政服务有限公司")
    answer = _post_from_the_page(household, agency_page, {"q": "邮递家政"})
    _assert_private_answer(answer)
    assert agency.name in answer.content.decode()
    assert not answer.request.get("QUERY_STRING")


@pytest.fixture
def certificate_page(db):
    from wagtail.models import Site

    from certificates.models import CertificateLookupPage

    page = CertificateLookupPage(title="证书查询", slug="certificate-lookup")
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    return page


def test_the_certificate_lookup_posts_and_its_answer_is_private(household, certificate_page):
    answer = _post_from_the_page(
        household, certificate_page, {"number": "SH-JZ-2026-000001", "name": "王小红"}
    )
    _assert_private_answer(answer)
    assert "没有找到" in answer.content.decode()
    _assert_no_personal_url(answer, "王小红")
    assert "王小红" not in answer.content.decode()


def test_the_certificate_lookup_ignores_a_query_string(client, certificate_page):
    response = client.get(certificate_page.url, {"number": "SH-JZ-2026-000001", "name": "王小红"})
    html = response.content.decode()
    assert "没有找到" not in html and "王小红" not in html
