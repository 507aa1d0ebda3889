"""The sittings demo: a station, today's sitting with six seats and a ticket that opens the
kiosk; a second run adds nothing but fresh ticket codes."""

import io

import pytest

from lms.demo import DemoContext
from sittings import demo, services
from sittings.models import Booking, Sitting, Station
from tests.exams.factories import ExamFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.sittings.factories import ProctorFactory

pytestmark = pytest.mark.django_db


def test_the_demo_books_six_seats_and_prints_a_working_ticket_idempotently():
    ctx = DemoContext(password="demo-pass-2026", stdout=io.StringIO())
    ctx.users["proctor"] = ProctorFactory()
    ctx.data["demo_exam"] = ExamFactory()
    ctx.data["workers"] = {"approved": ApprovedWorkerFactory.create_batch(8)}
    demo.seed(ctx)
    demo.seed(ctx)
    assert Station.objects.count() == 1 and Sitting.objects.count() == 1
    assert Booking.objects.count() == demo.SEATS_BOOKED
    # The second run reprinted the tickets: its code is the one that works.
    label, _url = [(label, url) for label, url in ctx.urls if url.endswith("/kiosk/")][-1]
    code = label.split("准考证号 ")[1].split("（")[0]
    booking = services.ticket_redeem(code=code, client_ip="127.0.0.1")
    assert booking.attempt is not None
    assert any(url.endswith(f"/admin/sittings/{booking.sitting_id}/live/") for _l, url in ctx.urls)
