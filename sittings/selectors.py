"""Reads of the sittings app: who sees which sitting, the proctor's live view, results and
the regulator's report.

Everything shown here names a worker by the masked name only
(``lms.masking``); the seat number is what the proctor calls people by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from exams.models import Attempt
from exams.selectors import attempt_clock
from lms.masking import mask_id_number, mask_name
from registry.models import Worker
from registry.selectors.access import regulator_district_for_user, workers_visible_to

from .models import Booking, Incident, Sitting, Station


def stations_visible_to(user) -> QuerySet[Station]:
    """Every station for the city and the operator; a district regulator's own district's;
    none for a login that may not see stations (agency staff, proctors, workers)."""
    if not (user.is_authenticated and user.has_perm("sittings.view_station")):
        return Station.objects.none()
    district = regulator_district_for_user(user)
    stations = Station.objects.all()
    return stations.filter(district=district) if district else stations


def sittings_visible_to(user) -> QuerySet[Sitting]:
    """The sittings a login may open: managers (``sittings.change_sitting``) those at the
    stations they see, a proctor the ones they proctor, nobody else any."""
    sittings = Sitting.objects.select_related("exam", "station", "proctor")
    if not user.is_authenticated:
        return sittings.none()
    if user.has_perm("sittings.change_sitting"):
        return sittings.filter(station__in=stations_visible_to(user))
    return sittings.filter(proctor=user)


def sitting_manageable_by(user, sitting: Sitting) -> bool:
    """Whether `user` may book seats and print tickets (not only proctor) for `sitting`."""
    return (
        user.has_perm("sittings.change_sitting")
        and stations_visible_to(user).filter(pk=sitting.station_id).exists()
    )


def bookable_workers(user) -> QuerySet[Worker]:
    """The workers `user` may book: those the registry lets this login see."""
    return workers_visible_to(user)


def worker_by_card(user, card_number: str) -> Worker | None:
    """A worker `user` may see, by the card number (家政卡号) on their card."""
    card_number = (card_number or "").strip().upper()
    if not card_number:
        return None
    return bookable_workers(user).filter(card_number=card_number).first()


def bookings_of(sitting: Sitting) -> QuerySet[Booking]:
    """The seat list in seat order, with workers and attempts."""
    return (
        Booking.objects.filter(sitting=sitting)
        .select_related("worker", "attempt")
        .annotate(
            answered=Count(
                "attempt__questions__answer",
                filter=Q(attempt__questions__answer__saved_at__isnull=False),
            )
        )
        .order_by("seat")
    )


def booking_of(sitting: Sitting, booking_id: int) -> Booking:
    """One seat of `sitting` (Booking.DoesNotExist for another sitting's)."""
    return Booking.objects.select_related("attempt", "worker").get(sitting=sitting, pk=booking_id)


# ---------------------------------------------------------------------------
# The proctor's live view


@dataclass(frozen=True)
class SeatState:
    """One seat as the proctor sees it now."""

    booking_id: int
    seat: int
    name: str
    state: str  # waiting, in_progress, paused, submitted, ended
    answered: int
    questions: int
    seconds_left: int | None
    score: Decimal | None
    passed: bool | None

    def as_json(self) -> dict:
        return {
            "id": self.booking_id,
            "seat": self.seat,
            "name": self.name,
            "state": self.state,
            "answered": self.answered,
            "questions": self.questions,
            "seconds_left": self.seconds_left,
            "passed": self.passed,
        }


def _state(attempt: Attempt | None) -> str:
    if attempt is None:
        return "waiting"
    if attempt.ended_reason:
        return "ended"
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return "submitted"
    return "paused" if attempt.paused_at is not None else "in_progress"


def sitting_live(sitting: Sitting, *, now: datetime | None = None) -> list[SeatState]:
    """Every seat: who is in, how many answers are saved, the time left on the server's clock.

    Two queries whatever the number of seats.
    """
    now = now or timezone.now()
    bookings = list(bookings_of(sitting))
    attempt_ids = [b.attempt_id for b in bookings if b.attempt_id]
    questions = dict(
        Attempt.objects.filter(pk__in=attempt_ids)
        .annotate(n=Count("questions"))
        .values_list("pk", "n")
    )
    seats = []
    for booking in bookings:
        attempt = booking.attempt
        state = _state(attempt)
        seconds_left = None
        if state in ("in_progress", "paused"):
            seconds_left = attempt_clock(attempt, now=now)["seconds_left"]
        seats.append(
            SeatState(
                booking_id=booking.pk,
                seat=booking.seat,
                name=mask_name(booking.worker.name),
                state=state,
                answered=booking.answered,
                questions=questions.get(booking.attempt_id, 0),
                seconds_left=seconds_left,
                score=attempt.percent if attempt is not None else None,
                passed=attempt.passed if attempt is not None else None,
            )
        )
    return seats


def live_summary(seats: list[SeatState]) -> dict:
    """Counts for the head of the live view."""
    counts = {"booked": len(seats)}
    for state in ("waiting", "in_progress", "paused", "submitted", "ended"):
        counts[state] = sum(1 for s in seats if s.state == state)
    return counts


# ---------------------------------------------------------------------------
# After the sitting


@dataclass(frozen=True)
class ResultRow:
    """One line of the results sheet: masked identity, attendance and result."""

    seat: int
    name: str
    id_number: str
    attended: bool
    percent: Decimal | None
    passed: bool | None
    ended_reason: str


def sitting_results(sitting: Sitting) -> list[ResultRow]:
    """The results sheet's rows in seat order (names and ID numbers masked)."""
    rows = []
    for booking in bookings_of(sitting):
        attempt = booking.attempt
        finished = attempt is not None and attempt.is_finished
        rows.append(
            ResultRow(
                seat=booking.seat,
                name=mask_name(booking.worker.name),
                id_number=mask_id_number(booking.worker.id_number),
                attended=attempt is not None,
                percent=attempt.percent if finished else None,
                passed=attempt.passed if finished else None,
                ended_reason=attempt.ended_reason if attempt is not None else "",
            )
        )
    return rows


@dataclass(frozen=True)
class SittingReport:
    """The regulator's report of one sitting."""

    booked: int
    attended: int
    no_shows: int
    finished: int
    passed: int
    pass_rate: Decimal | None  # of the finished attempts, in percent
    incidents: list[Incident]


def sitting_report(sitting: Sitting) -> SittingReport:
    """Attendance, no-shows, pass rate and every incident of `sitting`."""
    rows = sitting_results(sitting)
    finished = [r for r in rows if r.passed is not None]
    passed = sum(1 for r in finished if r.passed)
    rate = None
    if finished:
        rate = (Decimal(passed) * 100 / len(finished)).quantize(Decimal("0.1"))
    attended = sum(1 for r in rows if r.attended)
    return SittingReport(
        booked=len(rows),
        attended=attended,
        no_shows=len(rows) - attended,
        finished=len(finished),
        passed=passed,
        pass_rate=rate,
        incidents=list(
            Incident.objects.filter(sitting=sitting)
            .select_related("booking", "created_by")
            .order_by("created_at", "pk")
        ),
    )
