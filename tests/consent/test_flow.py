"""The household asks, the worker sees the matching number and answers, the grant opens the record."""

import pytest

from consent.models import ConsentGrant, ConsentRequest
from tests.consent.conftest import approve, ask, granted

pytestmark = pytest.mark.django_db


def test_the_masked_page_offers_the_request_and_a_scan_beacon(household, certificate):
    html = household.get(f"/v/{certificate.token}/").content.decode()
    assert "请服务员授权查看完整档案" in html
    assert 'action="/consent/ask/"' in html
    assert f'src="/consent/seen/{certificate.token}.gif"' in html


def test_asking_shows_a_six_digit_number_that_the_worker_sees(
    household, worker_client, certificate
):
    response = ask(household, certificate)
    assert response.status_code == 302 and response["Location"] == "/consent/wait/"
    cookie = response.cookies["consent_request"]
    assert cookie["httponly"] and cookie["path"] == "/consent/"
    consent_request = ConsentRequest.objects.get()
    assert len(consent_request.matching_number) == 6 and consent_request.matching_number.isdigit()
    # The secret is in the cookie only; the database keeps its keyed hash.
    assert cookie.value not in consent_request.browser_hash
    wait = household.get("/consent/wait/")
    assert consent_request.matching_number in wait.content.decode()
    assert "no-store" in wait["Cache-Control"]
    assert household.get("/consent/wait/status/").json() == {"state": "pending"}
    page = worker_client.get("/me/code/").content.decode()
    assert consent_request.matching_number in page and "住户扫码" in page
    inbox = worker_client.get("/me/consent/inbox/").json()
    assert consent_request.matching_number in inbox["html"]
    # Unchanged since the client's version: no HTML to redraw.
    again = worker_client.get(f"/me/consent/inbox/?v={inbox['version']}").json()
    assert "html" not in again


def test_consent_opens_the_full_record_in_that_browser_only(
    household, worker_client, certificate, worker, client
):
    granted(household, worker_client, certificate)
    response = household.get("/consent/record/")
    html = response.content.decode()
    assert (
        response.status_code == 200 and "王丽华" in html and "no-store" in response["Cache-Control"]
    )
    # The grant token never appears in a URL or the page.
    token = household.cookies["consent_grant"].value
    assert token not in html
    # Another browser without the cookie sees no record.
    stranger = client.__class__()
    assert "王丽华" not in stranger.get("/consent/record/").content.decode()


def test_refusal_tells_the_household_and_opens_nothing(household, worker_client, certificate):
    ask(household, certificate)
    consent_request = ConsentRequest.objects.get()
    worker_client.post(f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "refuse"})
    assert household.get("/consent/wait/status/").json() == {"state": "refused"}
    html = household.get("/consent/wait/").content.decode()
    assert "拒绝" in html and "王丽华" not in html
    assert not ConsentGrant.objects.exists()


def test_withdrawal_ends_the_view_on_the_next_request(household, worker_client, certificate):
    granted(household, worker_client, certificate)
    assert "王丽华" in household.get("/consent/record/").content.decode()
    grant = ConsentGrant.objects.get()
    views = worker_client.get("/me/views/").content.decode()
    assert f"/me/views/grants/{grant.pk}/withdraw/" in views
    worker_client.post(f"/me/views/grants/{grant.pk}/withdraw/")
    response = household.get("/consent/record/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "服务员已撤回授权" in html and "王丽华" not in html
    assert "王*华" in html  # the masked page, as a scan shows it


def test_the_worker_chooses_the_duration_within_the_longest_allowed(
    settings, household, worker_client, certificate
):
    settings.CONSENT_LONGEST_GRANT_HOURS = 24
    ask(household, certificate)
    consent_request = ConsentRequest.objects.get()
    page = worker_client.get("/me/code/").content.decode()
    assert 'value="24"' in page and 'value="168"' not in page
    approve(worker_client, consent_request, hours=168)
    assert not ConsentGrant.objects.exists()
    approve(worker_client, consent_request, hours=24)
    grant = ConsentGrant.objects.get()
    assert round((grant.expires_at - grant.created_at).total_seconds() / 3600) == 24
