"""The overdue sweep: attempts whose phone never came back are graded by the server."""

import random
from datetime import timedelta

from django.conf import settings as django_settings
from django.utils import timezone

import time_machine

from exams import services, tasks
from exams.models import Attempt

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def test_the_sweep_is_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["exams-finalize-overdue-attempts"]
    assert entry["task"] == "exams.tasks.attempts_finalize_overdue"


def test_the_sweeper_grades_an_abandoned_attempt_with_what_was_saved(
    exam, worker, other_worker, settings
):
    settings.EXAMS_SAVE_GRACE_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        abandoned, _ = services.attempt_start(exam=exam, worker=worker, rng=random.Random(1))
        for q in abandoned.questions.all():
            services.answer_save(
                attempt=abandoned, position=q.position, selected=["A"], seq=q.position
            )
    with time_machine.travel(T0 + timedelta(minutes=29), tick=False):
        active, _ = services.attempt_start(exam=exam, worker=other_worker, rng=random.Random(2))
    with time_machine.travel(abandoned.deadline + timedelta(seconds=30), tick=False):
        assert tasks.attempts_finalize_overdue() == 0  # still within the grace
    with time_machine.travel(abandoned.deadline + timedelta(seconds=31), tick=False):
        assert tasks.attempts_finalize_overdue() == 1
        assert tasks.attempts_finalize_overdue() == 0  # idempotent
    abandoned.refresh_from_db()
    active.refresh_from_db()
    assert abandoned.status == Attempt.Status.GRADED
    assert abandoned.auto_submitted and abandoned.passed and abandoned.score == 100
    assert active.status == Attempt.Status.IN_PROGRESS


def test_the_sweeper_leaves_a_submitted_attempt_alone(exam, worker):
    with time_machine.travel(T0, tick=False):
        attempt, _ = services.attempt_start(exam=exam, worker=worker)
        graded = services.attempt_submit(attempt=attempt)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert tasks.attempts_finalize_overdue() == 0
    attempt.refresh_from_db()
    assert attempt.submitted_at == graded.submitted_at and not attempt.auto_submitted
