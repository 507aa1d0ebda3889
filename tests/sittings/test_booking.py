"""Booking rules: a seat each, refused for a double booking, a full station, or a worker the
exam would refuse; a batch from an agency's list books the good ones and names the others."""

from datetime import timedelta

import pytest

from registry.models import FilingStatus
from sittings import services
from sittings.models import Booking
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory, WorkerFactory
from tests.sittings.factories import BookingFactory, SittingFactory, StationFactory

pytestmark = pytest.mark.django_db


def test_each_worker_gets_the_next_free_seat(sitting, regulator):
    first, second = ApprovedWorkerFactory(), ApprovedWorkerFactory()
    a = services.booking_create(sitting=sitting, worker=first, user=regulator)
    b = services.booking_create(sitting=sitting, worker=second, user=regulator)
    assert (a.seat, b.seat) == (1, 2)


def test_the_same_worker_twice_is_a_double_booking(sitting, regulator):
    worker = ApprovedWorkerFactory()
    services.booking_create(sitting=sitting, worker=worker, user=regulator)
    with pytest.raises(services.BookingRefused) as refused:
        services.booking_create(sitting=sitting, worker=worker, user=regulator)
    assert refused.value.code == "double_booking"
    assert "已预约" in refused.value.message
    assert Booking.objects.filter(worker=worker).count() == 1


def test_a_sitting_at_the_same_time_elsewhere_is_a_double_booking(sitting, regulator):
    worker = ApprovedWorkerFactory()
    services.booking_create(sitting=sitting, worker=worker, user=regulator)
    overlapping = SittingFactory(starts_at=sitting.starts_at + timedelta(minutes=30))
    with pytest.raises(services.BookingRefused) as refused:
        services.booking_create(sitting=overlapping, worker=worker, user=regulator)
    assert refused.value.code == "double_booking"
    later = SittingFactory(starts_at=sitting.ends_at + timedelta(minutes=1))
    assert services.booking_create(sitting=later, worker=worker, user=regulator).seat == 1


def test_a_full_station_refuses_the_next_worker(regulator):
    sitting = SittingFactory(station=StationFactory(seats=2))
    BookingFactory(sitting=sitting, seat=1)
    BookingFactory(sitting=sitting, seat=2)
    with pytest.raises(services.BookingRefused) as refused:
        services.booking_create(sitting=sitting, worker=ApprovedWorkerFactory(), user=regulator)
    assert refused.value.code == "full"
    assert "座位已满" in refused.value.message


def test_a_worker_the_exam_refuses_is_not_booked(sitting, regulator):
    unfiled = WorkerFactory(status=FilingStatus.SUBMITTED)
    with pytest.raises(services.BookingRefused) as refused:
        services.booking_create(sitting=sitting, worker=unfiled, user=regulator)
    assert refused.value.code == "not_eligible"
    assert "审核通过" in refused.value.message  # the exams app's own reason
    assert not Booking.objects.filter(worker=unfiled).exists()


def test_eligibility_is_judged_at_the_sittings_start(regulator):
    """An exam that opens later than today but before the sitting does not refuse."""
    sitting = SittingFactory(starts_at=SittingFactory.starts_at.function() + timedelta(days=3))
    sitting.exam.available_from = sitting.starts_at - timedelta(days=1)
    sitting.exam.save()
    assert (
        services.booking_create(
            sitting=sitting, worker=ApprovedWorkerFactory(), user=regulator
        ).seat
        == 1
    )


def test_an_agency_list_books_the_good_ones_and_names_each_refused(regulator):
    sitting = SittingFactory(station=StationFactory(seats=3))
    agency = AgencyFactory()
    good = ApprovedWorkerFactory.create_batch(3, agency=agency)
    unfiled = WorkerFactory(agency=agency, status=FilingStatus.SUBMITTED)
    extra = ApprovedWorkerFactory(agency=agency)
    outcome = services.bookings_create(
        sitting=sitting, workers=[good[0], unfiled, good[1], good[2], extra], user=regulator
    )
    assert [b.worker for b in outcome.booked] == good
    assert [(w, r.code) for w, r in outcome.refused] == [
        (unfiled, "not_eligible"),
        (extra, "full"),
    ]
    assert unfiled.masked_name in outcome.refused[0][1].message


def test_a_seat_with_a_used_ticket_cannot_be_cancelled(sitting, regulator):
    from django.utils import timezone

    booking = BookingFactory(sitting=sitting, ticket_used_at=timezone.now())
    with pytest.raises(services.SittingError):
        services.booking_cancel(booking=booking, user=regulator)
    free = BookingFactory(sitting=sitting)
    services.booking_cancel(booking=free, user=regulator)
    assert not Booking.objects.filter(pk=free.pk).exists()
