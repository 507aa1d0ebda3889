"""Grants end when the worker said (time-machine); forged, expired and replayed tokens show the
masked page with a clear message, never an error; requests expire after 2 minutes."""

import datetime

from django.utils import timezone

import pytest
import time_machine

from consent.models import ConsentGrant, ConsentRequest
from tests.consent.conftest import approve, ask, granted

pytestmark = pytest.mark.django_db


def test_a_grant_ends_after_the_hours_the_worker_chose(household, worker_client, certificate):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        granted(household, worker_client, certificate, hours=1)
        clock.shift(datetime.timedelta(minutes=59))
        assert "王丽华" in household.get("/consent/record/").content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        response = household.get("/consent/record/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "授权已到期" in html and "王丽华" not in html and "王*华" in html


def test_a_request_expires_after_two_minutes_unanswered(household, worker_client, certificate):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(household, certificate)
        consent_request = ConsentRequest.objects.get()
        clock.shift(datetime.timedelta(seconds=121))
        assert household.get("/consent/wait/status/").json() == {"state": "expired"}
        assert "请求已过期" in household.get("/consent/wait/").content.decode()
        assert (
            consent_request.matching_number not in worker_client.get("/me/code/").content.decode()
        )
        approve(worker_client, consent_request)
    assert not ConsentGrant.objects.exists()


def test_a_forged_token_shows_the_masked_page_with_a_message(household):
    household.cookies["consent_grant"] = "forged-token-0123456789"
    response = household.get("/consent/record/")
    assert response.status_code == 200
    assert "授权无法识别" in response.content.decode()


def test_a_copied_token_used_after_the_owner_moved_on_ends_the_grant(
    household, worker_client, certificate, client
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        granted(household, worker_client, certificate)
        copied = household.cookies["consent_grant"].value
        household.get("/consent/record/")  # the owner's view replaces the token
        clock.shift(datetime.timedelta(seconds=30))
        thief = client.__class__()
        thief.cookies["consent_grant"] = copied
        html = thief.get("/consent/record/").content.decode()
        assert "已在另一台设备上使用过" in html and "王丽华" not in html
        # The grant is over for both copies.
        assert "王丽华" not in household.get("/consent/record/").content.decode()
    grant = ConsentGrant.objects.get()
    assert grant.ended_reason == ConsentGrant.Ended.REPLAYED


def test_two_tabs_loading_together_both_see_the_record(household, worker_client, certificate):
    granted(household, worker_client, certificate)
    first = household.cookies["consent_grant"].value
    assert "王丽华" in household.get("/consent/record/").content.decode()
    other_tab = household.__class__()
    other_tab.cookies["consent_grant"] = first  # sent before the first answer arrived
    assert "王丽华" in other_tab.get("/consent/record/").content.decode()


def test_the_grant_is_collected_once(household, worker_client, certificate):
    consent_request = granted(household, worker_client, certificate)
    # The request cookie was cleared; a copy of it collects nothing more.
    from consent.services import consent_grant_claim

    assert consent_grant_claim(secret="not-the-secret") == (None, None)
    assert ConsentGrant.objects.get(request=consent_request).delivered_at is not None
