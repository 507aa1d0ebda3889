"""The exam client's API sees a proctor's actions: 409 `paused` (answers kept on the
computer), 409 `attempt_ended` with the reason, and the new deadline after an extension."""

from datetime import timedelta

import pytest

from sittings import services
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.sittings.factories import STATION_ADDRESS, BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat(sitting, proctor):
    BookingFactory(sitting=sitting, worker=ApprovedWorkerFactory(user=WorkerUserFactory()))
    [(_b, code)] = services.tickets_issue(sitting=sitting, user=proctor)
    return services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)


@pytest.fixture
def kiosk(client, seat):
    client.force_login(seat.worker.user)
    return client


def put(client, attempt_id, seq, position=1):
    return client.put(
        f"/api/v1/exam/attempts/{attempt_id}/answers/{position}",
        {"selected": ["A"], "seq": seq},
        content_type="application/json",
    )


def test_a_save_while_paused_is_409_paused_with_a_standing_clock(kiosk, seat, proctor):
    services.seat_pause(booking=seat, reason="停电", user=proctor)
    response = put(kiosk, seat.attempt_id, 1)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "paused" and body["paused"] is True
    submit = kiosk.post(f"/api/v1/exam/attempts/{seat.attempt_id}/submit")
    assert submit.status_code == 409 and submit.json()["code"] == "paused"
    services.seat_resume(booking=seat, user=proctor)
    assert put(kiosk, seat.attempt_id, 1).json()["outcome"] == "saved"


def test_the_extended_deadline_reaches_the_client(kiosk, seat, proctor):
    before = put(kiosk, seat.attempt_id, 1).json()["seconds_left"]
    services.seat_extend(booking=seat, minutes=10, reason="电脑故障", user=proctor)
    after = put(kiosk, seat.attempt_id, 2).json()
    assert after["seconds_left"] >= before + 590
    assert after["paused"] is False


def test_an_ended_attempt_says_why(kiosk, seat, proctor):
    services.seat_end(booking=seat, reason="交头接耳", user=proctor)
    response = put(kiosk, seat.attempt_id, 1)
    assert response.status_code == 409
    assert response.json()["code"] == "attempt_ended"
    assert "交头接耳" in response.json()["detail"]
    page = kiosk.get(f"/me/exams/attempts/{seat.attempt_id}/result/")
    assert "交头接耳" in page.content.decode()


def test_the_plain_form_submit_while_paused_goes_back_to_the_exam(kiosk, seat, proctor):
    services.seat_pause(booking=seat, reason="停电", user=proctor)
    response = kiosk.post(f"/me/exams/attempts/{seat.attempt_id}/submit/", {"q1": "A"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/me/exams/attempts/{seat.attempt_id}/")


def test_a_paused_attempt_is_resumed_not_restarted(kiosk, seat, proctor):
    services.seat_pause(booking=seat, reason="停电", user=proctor)
    response = kiosk.get(f"/me/exams/attempts/{seat.attempt_id}/")
    assert response.status_code == 200
    seat.attempt.refresh_from_db()
    seat.attempt.deadline -= timedelta(hours=3)  # long past, but paused: not overdue
    seat.attempt.save(update_fields=["deadline"])
    assert kiosk.get(f"/me/exams/attempts/{seat.attempt_id}/").status_code == 200
