"""PII scan of the paper a sitting prints: tickets and results sheets (PDF and XLSX) name a
worker only masked; no full name, ID number or phone number appears anywhere in them."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.masking import mask_id_number, mask_name
from sittings import services
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.sittings.factories import STATION_ADDRESS, BookingFactory

pytestmark = pytest.mark.django_db

NAMES = ["欧阳小明", "张三丰", "李娜"]


@pytest.fixture
def seats(sitting, proctor):
    workers = [ApprovedWorkerFactory(name=name, user=WorkerUserFactory()) for name in NAMES]
    return [BookingFactory(sitting=sitting, worker=w) for w in workers]


@pytest.fixture
def staff(client, login_staff, proctor):
    return login_staff(client, proctor)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def assert_no_pii(text: str, bookings) -> None:
    for booking in bookings:
        worker = booking.worker
        assert worker.name not in text
        assert worker.id_number not in text
        assert worker.id_number[6:14] not in text  # not even the birth date part
        assert worker.phone not in text
        assert worker.user.phone not in text


def test_tickets_show_the_masked_name_seat_and_code_only(staff, sitting, seats):
    response = staff.post(f"/admin/sittings/{sitting.pk}/tickets.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert_no_pii(text, seats)
    for booking in seats:
        assert mask_name(booking.worker.name) in text
    assert text.count("座位号：") == len(seats)
    assert "/kiosk/" in text


def test_results_sheets_mask_names_and_id_numbers(staff, sitting, seats, proctor):
    [(_b, code), *_rest] = services.tickets_issue(sitting=sitting, user=proctor)
    booking = services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)
    services.seat_end(booking=booking, reason="携带手机", user=proctor)
    for url, read in (
        (f"/admin/sittings/{sitting.pk}/results.pdf", pdf_text),
        (f"/admin/sittings/{sitting.pk}/results.xlsx", xlsx_text),
    ):
        response = staff.get(url)
        assert response.status_code == 200
        text = read(response.content)
        assert_no_pii(text, seats)
        for b in seats:
            assert mask_name(b.worker.name) in text
            assert mask_id_number(b.worker.id_number) in text
        assert "携带手机" in text
        assert "缺考" in text
