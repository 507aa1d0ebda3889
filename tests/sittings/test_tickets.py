"""Exam tickets: a code opens the seat's exam once, only in the sitting's window, only from
the station's networks; every refusal is a clear message and never a 500."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from exams.models import Attempt
from sittings import services
from sittings.models import Booking
from sittings.views import KIOSK_SESSION_KEY
from tests.sittings.factories import STATION_ADDRESS, BookingFactory, SittingFactory

pytestmark = pytest.mark.django_db

KIOSK = "/kiosk/"


@pytest.fixture
def ticket(sitting, proctor):
    """(booking, code): one seat with a printed ticket."""
    BookingFactory(sitting=sitting)
    [(booking, code)] = services.tickets_issue(sitting=sitting, user=proctor)
    return booking, code


def redeem(client, code, address=STATION_ADDRESS, **extra):
    return client.post(KIOSK, {"code": code}, REMOTE_ADDR=address, **extra)


def test_the_code_is_stored_only_as_a_hash(ticket):
    booking, code = ticket
    booking.refresh_from_db()
    assert code not in booking.ticket_hash and len(booking.ticket_hash) == 64


def test_a_ticket_starts_the_seats_exam_and_signs_the_worker_in(client, ticket):
    booking, code = ticket
    response = redeem(client, services.format_code(code).lower())  # typed any way
    booking.refresh_from_db()
    attempt = booking.attempt
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:attempt", kwargs={"attempt_id": attempt.pk})
    assert attempt.worker == booking.worker and attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.client_ip == STATION_ADDRESS
    assert booking.ticket_used_from == STATION_ADDRESS
    assert client.session[KIOSK_SESSION_KEY] == booking.pk
    # The ordinary attempt page (the exam client) opens for this session.
    assert client.get(response["Location"]).status_code == 200


def test_a_worker_without_a_login_gets_one_without_a_password(client, sitting, proctor):
    booking = BookingFactory(sitting=sitting)
    assert booking.worker.user_id is None
    [(_b, code)] = services.tickets_issue(sitting=sitting, user=proctor)
    assert redeem(client, code).status_code == 302
    booking.worker.refresh_from_db()
    assert booking.worker.user is not None
    assert not booking.worker.user.has_usable_password()


def test_a_ticket_works_only_once(client, ticket):
    _booking, code = ticket
    assert redeem(client, code).status_code == 302
    again = redeem(client, code)
    assert again.status_code == 400
    assert "已经使用过" in again.content.decode()
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)
    assert refused.value.code == "used"


def test_a_ticket_is_refused_before_and_after_the_sitting(client, proctor):
    for starts, expected, words in (
        (timezone.now() + timedelta(hours=1), "not_yet", "还没开始"),
        (timezone.now() - timedelta(hours=3), "expired", "已经结束"),
    ):
        sitting = SittingFactory(starts_at=starts)
        booking = BookingFactory(sitting=sitting)
        [(_b, code)] = services.tickets_issue(sitting=sitting, user=proctor)
        response = redeem(client, code)
        assert response.status_code == 400 and words in response.content.decode()
        with pytest.raises(services.TicketRefused) as refused:
            services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)
        assert refused.value.code == expected
        booking.refresh_from_db()
        assert booking.ticket_used_at is None and booking.attempt is None


def test_the_window_is_the_sittings_own(ticket, sitting):
    _booking, code = ticket
    with pytest.raises(services.TicketRefused):
        services.ticket_redeem(
            code=code, client_ip=STATION_ADDRESS, now=sitting.ends_at + timedelta(seconds=1)
        )
    booking = services.ticket_redeem(code=code, client_ip=STATION_ADDRESS, now=sitting.ends_at)
    assert booking.attempt is not None


@pytest.mark.parametrize("address", ["10.20.1.15", "192.168.0.2", "2001:db9::1", ""])
def test_a_ticket_is_refused_outside_the_stations_networks(client, ticket, address):
    booking, code = ticket
    response = redeem(client, code, address=address)
    assert response.status_code == 400
    assert "考点的网络" in response.content.decode()
    booking.refresh_from_db()
    assert booking.ticket_used_at is None


def test_an_ipv6_station_address_is_allowed(client, ticket):
    _booking, code = ticket
    assert redeem(client, code, address="2001:db8:20::7").status_code == 302


def test_the_address_is_counted_from_the_right_behind_a_proxy(client, ticket, settings):
    """A forged X-Forwarded-For entry on the left proves nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    _booking, code = ticket
    forged = redeem(client, code, address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.0.9, 8.8.8.8")
    assert forged.status_code == 400
    real = redeem(client, code, address="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8, 10.20.0.9")
    assert real.status_code == 302


@pytest.mark.parametrize(
    "code", ["", "ABC", "ZZZZZ-ZZZZZ", "准考证" * 20, "'; --", "ＡＢＣＤＥ－ＦＧＨＪＫ"]
)
def test_unknown_or_garbage_codes_are_refused_plainly(client, ticket, code):
    response = redeem(client, code)
    assert response.status_code == 400
    assert "准考证号码不正确" in response.content.decode()


def test_a_nul_byte_is_a_bad_request_not_a_500(client, ticket):
    assert redeem(client, "\x00" * 12).status_code == 400


def test_a_reprint_replaces_the_code(ticket, sitting, proctor):
    booking, old = ticket
    [(_b, new)] = services.tickets_issue(sitting=sitting, user=proctor)
    with pytest.raises(services.TicketRefused) as refused:
        services.ticket_redeem(code=old, client_ip=STATION_ADDRESS)
    assert refused.value.code == "unknown"
    assert services.ticket_redeem(code=new, client_ip=STATION_ADDRESS).pk == booking.pk


def test_a_worker_the_exam_now_refuses_keeps_an_unused_ticket(client, ticket):
    booking, code = ticket
    booking.sitting.exam.is_active = False
    booking.sitting.exam.save()
    response = redeem(client, code)
    assert response.status_code == 400
    assert "暂未开放" in response.content.decode()
    booking.refresh_from_db()
    assert booking.ticket_used_at is None


def test_a_signed_in_kiosk_is_signed_out_on_the_next_visit(client, ticket):
    _booking, code = ticket
    redeem(client, code)
    assert client.get(KIOSK).status_code == 200
    assert "_auth_user_id" not in client.session


def test_too_many_codes_from_one_address_are_slowed(client, ticket, settings, monkeypatch):
    settings.RATELIMIT_ENABLE = True
    monkeypatch.setattr("sittings.views.KIOSK_RATE", "5/m")
    for _ in range(5):
        redeem(client, "WRONG-CODE0")
    response = redeem(client, "WRONG-CODE1")
    assert response.status_code == 400
    assert "尝试次数太多" in response.content.decode()


def test_a_station_refuses_a_bad_network_on_save():
    from django.core.exceptions import ValidationError

    from sittings.models import validate_networks

    validate_networks("10.0.0.0/8\n2001:db8::/32")
    with pytest.raises(ValidationError):
        validate_networks("10.0.0.0/33")


def test_the_booking_list_is_untouched_by_a_refusal(client, ticket):
    assert redeem(client, "nope").status_code == 400
    assert Booking.objects.filter(ticket_used_at__isnull=False).count() == 0
