"""Filing a complaint: tracking number, deadline in working days, one open per visit,
photos re-encoded, bad input changes nothing, the household texted its number."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest
import time_machine
from PIL import Image

from complaints.models import CityCalendar, Complaint, ComplaintPhoto, ComplaintSequence
from complaints.selectors.subjects import subject_from_visit_token
from complaints.services.filing import complaint_file
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db


def test_numbers_are_yearly_and_consecutive(outbox):
    first = factories.complaint()
    second = factories.complaint(phone="13900000001")
    year = timezone.localdate().year
    assert first.number == f"TS-{year}-000001"
    assert second.number == f"TS-{year}-000002"
    assert ComplaintSequence.objects.get(year=year).last_value == 2


def test_visit_complaint_names_the_visit_worker_their_agency_and_the_visit_district():
    worker = ApprovedWorkerFactory(agency=AgencyFactory(district="pudong"))
    _visit, token = factories.visit_with_token(worker, district="xuhui")
    complaint = factories.complaint(token=token)
    assert complaint.worker == worker
    assert complaint.agency == worker.agency
    assert complaint.district == "xuhui"
    assert complaint.origin == Complaint.Origin.VISIT


@time_machine.travel(datetime.datetime(2026, 9, 25, 10, tzinfo=datetime.UTC), tick=False)
def test_deadline_counts_city_working_days_with_holidays_and_makeup_days():
    calendar = CityCalendar.load()
    calendar.holidays = "2026-10-01~2026-10-07"
    calendar.extra_working_days = "2026-09-27\n2026-10-10"
    calendar.save()
    complaint = factories.complaint()
    # Fri 25 Sep: +1 Sun 27 (worked), Mon 28, Tue 29, Wed 30 = 4; then 8, 9, 10 (Sat, worked),
    # 12..16 = 12; 19, 20, 21 = 15 working days.
    assert complaint.due_on == datetime.date(2026, 10, 21)
    assert complaint.agency_answer_due_on == datetime.date(2026, 9, 29)


def test_the_household_is_texted_the_number_and_nothing_personal(
    outbox, django_capture_on_commit_callbacks
):
    worker = ApprovedWorkerFactory(name="王丽华")
    _visit, token = factories.visit_with_token(worker)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = factories.complaint(token=token)
    phone, message = outbox[-1]
    assert phone == factories.HOUSEHOLD_PHONE
    assert complaint.number in message
    assert "王丽华" not in message and factories.HOUSEHOLD_PHONE not in message


def test_one_open_complaint_per_visit():
    _visit, token = factories.visit_with_token()
    factories.complaint(token=token)
    with pytest.raises(ValidationError):
        factories.complaint(token=token, phone="13900000002")
    assert Complaint.objects.count() == 1


def test_photos_are_resized_and_lose_their_exif():
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0110] = "SecretCam"  # Model
    data = factories.photo_bytes(size=(3000, 2000), exif=exif.tobytes())
    complaint = factories.complaint(photos=[data])
    stored = ComplaintPhoto.objects.get(complaint=complaint)
    import io

    image = Image.open(io.BytesIO(bytes(stored.image)))
    assert max(image.size) <= 800
    assert not image.getexif()
    assert b"SecretCam" not in bytes(stored.image)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nonsense"}, "category"),
        ({"description": "太差"}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"photos": [b"not an image"]}, "photos"),
        ({"photos": [factories.photo_bytes()] * 4}, "photos"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(change, field, outbox):
    _visit, token = factories.visit_with_token()
    outbox.clear()
    kwargs = {
        "category": "quality",
        "description": "服务员打碎了花瓶还不承认。",
        "phone": "13912345678",
        "photos": [],
        **change,
    }
    with pytest.raises(ValidationError) as caught:
        complaint_file(subject=subject_from_visit_token(token), **kwargs)
    assert field in caught.value.message_dict
    assert Complaint.objects.count() == 0
    assert ComplaintPhoto.objects.count() == 0
    assert not ComplaintSequence.objects.filter(last_value__gt=0).exists()
    assert outbox == []


def test_a_photo_too_large_is_refused_with_a_clear_message():
    big = b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1)
    with pytest.raises(ValidationError) as caught:
        factories.complaint(photos=[big])
    assert "5 MB" in " ".join(caught.value.message_dict["photos"])


def test_a_phone_over_its_daily_limit_is_refused(settings):
    settings.COMPLAINTS_PER_PHONE_PER_DAY = 2
    factories.complaint()
    factories.complaint()
    with pytest.raises(ValidationError) as caught:
        factories.complaint()
    assert "phone" in caught.value.message_dict
    assert Complaint.objects.count() == 2


def test_complaint_about_an_agency_names_no_worker():
    agency = AgencyFactory(district="jingan")
    complaint = factories.complaint(credit_code=agency.credit_code)
    assert complaint.agency == agency and complaint.worker is None
    assert complaint.district == "jingan"


def test_complaint_by_card_number_names_that_worker_only():
    worker = ApprovedWorkerFactory()
    complaint = factories.complaint(card_number=worker.card_number)
    assert complaint.worker == worker and complaint.visit is None
