"""A kiosk session reaches the worker's exam and its result, and nothing else: any
other page signs the worker out and brings back the ticket screen."""

import pytest

from sittings import services
from sittings.views import KIOSK_SESSION_KEY
from tests.sittings.factories import STATION_ADDRESS, BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk_client(client, sitting, proctor):
    BookingFactory(sitting=sitting)
    [(booking, code)] = services.tickets_issue(sitting=sitting, user=proctor)
    response = client.post("/kiosk/", {"code": code}, REMOTE_ADDR=STATION_ADDRESS)
    client.attempt_url = response["Location"]
    return client


def test_the_exam_and_its_api_stay_open(kiosk_client):
    assert kiosk_client.get(kiosk_client.attempt_url).status_code == 200
    attempt_id = kiosk_client.attempt_url.rstrip("/").rsplit("/", 1)[-1]
    assert kiosk_client.get(f"/api/v1/exam/attempts/{attempt_id}/questions").status_code == 200
    assert kiosk_client.session.get(KIOSK_SESSION_KEY)


@pytest.mark.parametrize("path", ["/me/", "/me/record/", "/me/code/", "/admin/", "/"])
def test_any_other_page_signs_the_worker_out(kiosk_client, path):
    response = kiosk_client.get(path)
    assert response.status_code == 302 and response["Location"] == "/kiosk/"
    assert "_auth_user_id" not in kiosk_client.session
    assert kiosk_client.get(kiosk_client.attempt_url).status_code == 302


def test_the_result_page_offers_to_hand_the_seat_on(kiosk_client):
    attempt_id = kiosk_client.attempt_url.rstrip("/").rsplit("/", 1)[-1]
    kiosk_client.post(f"/api/v1/exam/attempts/{attempt_id}/submit", content_type="application/json")
    page = kiosk_client.get(f"/me/exams/attempts/{attempt_id}/result/").content.decode()
    assert "交给下一位考生" in page and 'href="/kiosk/"' in page
