"""The proctor's actions act on the server's attempt: an extension moves Attempt.deadline,
a pause refuses saves and moves the deadline on by the paused time, an end refuses saves and
fails the attempt with the reason the worker sees. Each is audited and recorded."""

from datetime import timedelta

from django.utils import timezone

import pytest
import time_machine

from exams import services as exam_services
from exams.models import Attempt
from exams.selectors import attempt_clock, overdue_attempt_ids
from lms.audit import audit_entries
from sittings import services
from sittings.models import Incident
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.sittings.factories import STATION_ADDRESS, BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat(sitting, proctor):
    """A seat whose worker has started the exam from a ticket."""
    BookingFactory(sitting=sitting, worker=ApprovedWorkerFactory(user=WorkerUserFactory()))
    [(_b, code)] = services.tickets_issue(sitting=sitting, user=proctor)
    return services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)


def save(attempt, position=1, seq=1):
    return exam_services.answer_save(attempt=attempt, position=position, selected=["A"], seq=seq)


def test_an_extension_moves_the_servers_deadline_and_is_audited(seat, proctor):
    before = seat.attempt.deadline
    services.seat_extend(booking=seat, minutes=10, reason="电脑死机重启", user=proctor)
    seat.attempt.refresh_from_db()
    assert seat.attempt.deadline == before + timedelta(minutes=10)
    entry = audit_entries(seat.attempt).first()
    assert entry.action == "exams.attempt_extend"
    assert entry.data["reason"] == "电脑死机重启" and entry.user == proctor
    incident = Incident.objects.get(booking=seat)
    assert (incident.kind, incident.minutes) == ("extend", 10)


def test_an_extension_keeps_a_save_after_the_old_deadline_accepted(seat, proctor):
    old = seat.attempt.deadline
    services.seat_extend(booking=seat, minutes=15, reason="停电", user=proctor)
    with time_machine.travel(old + timedelta(minutes=5)):
        assert save(Attempt.objects.get(pk=seat.attempt_id)).outcome == "saved"


@pytest.mark.parametrize("minutes", [0, -5, 121, "10"])
def test_an_extension_needs_sane_minutes_and_a_reason(seat, proctor, minutes):
    with pytest.raises(services.SittingError):
        services.seat_extend(booking=seat, minutes=minutes, reason="原因", user=proctor)
    with pytest.raises(services.SittingError) as refused:
        services.seat_extend(booking=seat, minutes=5, reason="  ", user=proctor)
    assert refused.value.code == "reason_required"
    assert not Incident.objects.exists()


def test_a_paused_attempt_refuses_saves_and_submits_and_is_never_swept(seat, proctor):
    services.seat_pause(booking=seat, reason="火警演练", user=proctor)
    attempt = Attempt.objects.get(pk=seat.attempt_id)
    with pytest.raises(exam_services.AttemptPaused):
        save(attempt)
    with pytest.raises(exam_services.AttemptPaused):
        exam_services.attempt_submit(attempt=attempt)
    far = attempt.deadline + timedelta(hours=1)
    assert attempt.pk not in overdue_attempt_ids(now=far)
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS


def test_resuming_moves_the_deadline_on_by_the_paused_time(seat, proctor):
    deadline = seat.attempt.deadline
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.seat_pause(booking=seat, reason="停电", user=proctor)
    with time_machine.travel(start + timedelta(minutes=7), tick=False):
        clock = attempt_clock(Attempt.objects.get(pk=seat.attempt_id))
        assert clock["paused"] is True
        # The time left stands still while paused.
        assert clock["seconds_left"] == int((deadline - start).total_seconds())
        services.seat_resume(booking=seat, user=proctor)
    attempt = Attempt.objects.get(pk=seat.attempt_id)
    assert attempt.paused_at is None
    assert attempt.deadline == deadline + timedelta(minutes=7)
    assert save(attempt).outcome == "saved"
    assert list(Incident.objects.values_list("kind", flat=True)) == ["pause", "resume"]


def test_pause_twice_or_resume_unpaused_is_refused(seat, proctor):
    with pytest.raises(services.SittingError):
        services.seat_resume(booking=seat, user=proctor)
    services.seat_pause(booking=seat, reason="停电", user=proctor)
    with pytest.raises(services.SittingError):
        services.seat_pause(booking=seat, reason="停电", user=proctor)


def test_an_ended_attempt_fails_and_refuses_saves_with_the_reason(seat, proctor):
    save(seat.attempt)
    services.seat_end(booking=seat, reason="携带手机查答案", user=proctor)
    attempt = Attempt.objects.get(pk=seat.attempt_id)
    assert attempt.status == Attempt.Status.GRADED and attempt.passed is False
    assert attempt.ended_reason == "携带手机查答案"
    with pytest.raises(exam_services.AttemptFinished) as refused:
        save(attempt, seq=2)
    assert refused.value.code == "attempt_ended"
    assert "携带手机查答案" in refused.value.message
    assert audit_entries(attempt).filter(action="exams.attempt_end").exists()


def test_an_ended_attempt_fails_even_with_every_answer_right(seat, proctor):
    attempt = seat.attempt
    for question in attempt.questions.all():
        exam_services.answer_save(
            attempt=attempt, position=question.position, selected=question.correct, seq=1
        )
    services.seat_end(booking=seat, reason="替考", user=proctor)
    attempt.refresh_from_db()
    assert attempt.percent == 100 and attempt.passed is False


def test_a_seat_not_started_or_finished_refuses_actions(sitting, seat, proctor):
    waiting = BookingFactory(sitting=sitting)
    with pytest.raises(services.SittingError) as refused:
        services.seat_pause(booking=waiting, reason="x", user=proctor)
    assert refused.value.code == "not_started"
    exam_services.attempt_submit(attempt=seat.attempt)
    with pytest.raises(services.SittingError) as refused:
        services.seat_extend(booking=seat, minutes=5, reason="x", user=proctor)
    assert refused.value.code == "attempt_finished"
