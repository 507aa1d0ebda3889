"""Writes of the sittings app: booking seats, issuing and redeeming exam tickets, the
proctor's actions on a seat.

A ticket's code is printed once and stored only as a keyed hash
(``lms.crypto.lookup_hash``). It opens the seat's exam at the kiosk only inside
the sitting's window, only from the station's allowed networks, and only once;
each refusal is a :class:`TicketRefused` with a stable code and a Chinese
message. The attempt it starts is an ordinary one (``exams.services``): the
proctor's extend, pause and end go through the exams app's services, and each
is recorded as an :class:`~sittings.models.Incident` for the report.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from exams import services as exam_services
from exams.models import Attempt
from exams.selectors import exam_refusals
from lms.audit import audit
from lms.crypto import lookup_hash
from registry.models import Worker
from registry.services.signin import worker_link_login

from .models import Booking, Incident, Sitting

#: No 0/O, 1/I/L: a code is read off paper and typed by someone who may not read Latin letters.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class SittingError(Exception):
    """A refused sittings action: `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class BookingRefused(SittingError):
    """The worker cannot take a seat in this sitting."""


class TicketRefused(SittingError):
    """A ticket code that does not open an exam here and now."""


# ---------------------------------------------------------------------------
# Booking


def _booking_refusal(*, sitting: Sitting, worker: Worker, taken: int) -> BookingRefused | None:
    params = {"name": worker.masked_name, "seats": sitting.station.seats}
    if Booking.objects.filter(sitting=sitting, worker=worker).exists():
        return BookingRefused("double_booking", _("%(name)s 已预约了本场考试。") % params)
    overlapping = Booking.objects.filter(
        worker=worker,
        sitting__starts_at__lt=sitting.ends_at,
        sitting__ends_at__gt=sitting.starts_at,
    ).exclude(sitting=sitting)
    if overlapping.exists():
        return BookingRefused(
            "double_booking", _("%(name)s 在同一时段已预约了另一场考试。") % params
        )
    if taken >= sitting.station.seats:
        return BookingRefused("full", _("考点座位已满（%(seats)s 座），不能再预约。") % params)
    refusals = exam_refusals(exam=sitting.exam, worker=worker, now=sitting.starts_at)
    if refusals:
        return BookingRefused(
            "not_eligible",
            _("%(name)s 不符合参加本场考试的条件：") % params
            + "；".join(refusal.message for refusal in refusals),
        )
    return None


@dataclass
class BookingOutcome:
    """What a booking from a list did: the seats taken and, per worker refused, why."""

    booked: list[Booking]
    refused: list[tuple[Worker, BookingRefused]]


@transaction.atomic
def bookings_create(*, sitting: Sitting, workers: list[Worker], user) -> BookingOutcome:
    """Book each worker into the next free seat; refuse a double booking (this sitting
    or one at the same time), a full station, or a worker the exam would refuse at the
    sitting's start. Each refused worker is reported with the reason; the others get
    their seats. The sitting's row is locked, so two proctors booking at once never
    give more seats than the station has."""
    sitting = (
        Sitting.objects.select_for_update().select_related("station", "exam").get(pk=sitting.pk)
    )
    taken = Booking.objects.filter(sitting=sitting).count()
    next_seat = (Booking.objects.filter(sitting=sitting).aggregate(n=Max("seat"))["n"] or 0) + 1
    outcome = BookingOutcome(booked=[], refused=[])
    for worker in workers:
        refused = _booking_refusal(sitting=sitting, worker=worker, taken=taken)
        if refused is not None:
            outcome.refused.append((worker, refused))
            continue
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    sitting=sitting, worker=worker, seat=next_seat, booked_by=user
                )
        except IntegrityError:
            message = _("%(name)s 已预约了本场考试。") % {"name": worker.masked_name}
            outcome.refused.append((worker, BookingRefused("double_booking", message)))
            continue
        audit(sitting, "sittings.booking_create", user=user, data={"seat": next_seat})
        outcome.booked.append(booking)
        taken += 1
        next_seat += 1
    return outcome


def booking_create(*, sitting: Sitting, worker: Worker, user) -> Booking:
    """Book one worker; :class:`BookingRefused` says why not."""
    outcome = bookings_create(sitting=sitting, workers=[worker], user=user)
    if outcome.refused:
        raise outcome.refused[0][1]
    return outcome.booked[0]


@transaction.atomic
def booking_cancel(*, booking: Booking, user) -> None:
    """Free a seat whose ticket was never used."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.ticket_used_at is not None:
        raise BookingRefused("ticket_used", _("准考证已经使用，不能取消这个座位。"))
    audit(booking.sitting, "sittings.booking_cancel", user=user, data={"seat": booking.seat})
    booking.delete()


# ---------------------------------------------------------------------------
# Tickets


def normalise_code(code: str) -> str:
    """What was typed, as stored: full-width to half-width, upper case, no spaces or dashes."""
    text = unicodedata.normalize("NFKC", code or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCDE-FGHJK: printed in two halves, easier to type."""
    return f"{code[:5]}-{code[5:]}"


@transaction.atomic
def tickets_issue(*, sitting: Sitting, user) -> list[tuple[Booking, str]]:
    """A new code for every seat whose ticket is unused, in seat order: (booking, code).

    Printing again replaces the codes: a ticket printed before stops working.
    The codes are returned once, for the PDF, and never stored in the clear.
    """
    now = timezone.now()
    issued = []
    bookings = (
        Booking.objects.select_for_update()
        .filter(sitting=sitting, ticket_used_at__isnull=True)
        .select_related("worker")
        .order_by("seat")
    )
    for booking in bookings:
        code = _new_code()
        booking.ticket_hash, booking.ticket_issued_at = lookup_hash(code), now
        issued.append((booking, code))
    Booking.objects.bulk_update([b for b, _c in issued], ["ticket_hash", "ticket_issued_at"])
    audit(sitting, "sittings.tickets_issue", user=user, data={"tickets": len(issued)})
    return issued


def _kiosk_login(worker: Worker):
    """The worker's login, created (without a password) for one who never signed in."""
    if worker.user_id is not None:
        return worker.user
    User = get_user_model()
    login = User(username=f"kiosk-{worker.pk}", name=worker.name)
    login.set_unusable_password()
    login.save()
    worker_link_login(worker=worker, login=login)
    return login


@transaction.atomic
def ticket_redeem(*, code: str, client_ip: str, now: datetime | None = None) -> Booking:
    """Start (or resume) the seat's attempt from a ticket code; the booking, with its
    attempt and the login to sign in. Refused (:class:`TicketRefused`): an unknown code,
    one used before, outside the sitting's window, from outside the station's networks,
    or a worker the exam refuses now. A refused code stays unused."""
    now = now or timezone.now()
    normalised = normalise_code(code)
    booking = None
    if len(normalised) == CODE_LENGTH:
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("sitting__station", "sitting__exam", "worker__user")
            .filter(ticket_hash=lookup_hash(normalised))
            .first()
        )
    if booking is None:
        raise TicketRefused("unknown", _("准考证号码不正确，请核对后重新输入。"))
    sitting = booking.sitting
    if not sitting.station.allows(client_ip):
        raise TicketRefused("network", _("这台电脑不在考点的网络内，请在考点的考试电脑上登录。"))
    if booking.ticket_used_at is not None:
        raise TicketRefused("used", _("这张准考证已经使用过。如需重新登录，请找监考员重新打印。"))
    if now < sitting.starts_at:
        raise TicketRefused(
            "not_yet",
            _("考试还没开始，请在 %(time)s 之后登录。")
            % {"time": timezone.localtime(sitting.starts_at).strftime("%H:%M")},
        )
    if now > sitting.ends_at:
        raise TicketRefused("expired", _("本场考试已经结束，准考证已失效。"))
    login = _kiosk_login(booking.worker)
    try:
        attempt, _created = exam_services.attempt_start(
            exam=sitting.exam, worker=booking.worker, user=login, client_ip=client_ip or None
        )
    except exam_services.ExamError as exc:
        raise TicketRefused("not_eligible", exc.message) from None
    booking.ticket_used_at, booking.ticket_used_from, booking.attempt = now, client_ip, attempt
    booking.save(update_fields=["ticket_used_at", "ticket_used_from", "attempt"])
    audit(
        sitting,
        "sittings.ticket_redeem",
        user=login,
        data={"seat": booking.seat, "attempt": attempt.pk, "client_ip": client_ip},
    )
    booking.login = login
    return booking


# ---------------------------------------------------------------------------
# The proctor's actions on one seat


def _attempt_of(booking: Booking) -> Attempt:
    if booking.attempt_id is None:
        raise SittingError("not_started", _("这个座位的考生还没有开始考试。"))
    return booking.attempt


def _record(booking: Booking, kind: str, *, user, reason: str = "", minutes: int = 0) -> Incident:
    return Incident.objects.create(
        sitting_id=booking.sitting_id,
        booking=booking,
        kind=kind,
        reason=reason,
        minutes=minutes,
        created_by=user,
    )


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise SittingError("reason_required", _("请填写原因。"))
    return reason[:200]


@transaction.atomic
def seat_extend(*, booking: Booking, minutes: int, reason: str, user) -> Attempt:
    """Give the seat's attempt `minutes` more on the server's deadline (1–120)."""
    reason = _checked_reason(reason)
    if not isinstance(minutes, int) or not 1 <= minutes <= 120:
        raise SittingError("invalid_minutes", _("延长时间须在 1 到 120 分钟之间。"))
    attempt = _run(
        exam_services.attempt_extend,
        attempt=_attempt_of(booking),
        minutes=minutes,
        reason=reason,
        user=user,
    )
    _record(booking, Incident.Kind.EXTEND, user=user, reason=reason, minutes=minutes)
    return attempt


@transaction.atomic
def seat_pause(*, booking: Booking, reason: str, user) -> Attempt:
    """Pause the seat's attempt for an incident: saves are refused until it resumes."""
    reason = _checked_reason(reason)
    attempt = _run(
        exam_services.attempt_pause, attempt=_attempt_of(booking), reason=reason, user=user
    )
    _record(booking, Incident.Kind.PAUSE, user=user, reason=reason)
    return attempt


@transaction.atomic
def seat_resume(*, booking: Booking, user) -> Attempt:
    """Resume a paused attempt; its deadline moves on by the time it was paused."""
    attempt = _run(exam_services.attempt_resume, attempt=_attempt_of(booking), user=user)
    _record(booking, Incident.Kind.RESUME, user=user)
    return attempt


@transaction.atomic
def seat_end(*, booking: Booking, reason: str, user) -> Attempt:
    """End the seat's attempt for misconduct; the worker sees `reason`, the attempt fails."""
    reason = _checked_reason(reason)
    attempt = _run(
        exam_services.attempt_end, attempt=_attempt_of(booking), reason=reason, user=user
    )
    _record(booking, Incident.Kind.END, user=user, reason=reason)
    return attempt


def _run(action, **kwargs) -> Attempt:
    try:
        return action(**kwargs)
    except exam_services.ExamError as exc:
        raise SittingError(exc.code, exc.message) from None
