"""A result submitted at time-up says so, whoever sent the submit: the phone's timer or the server."""

from datetime import timedelta

import pytest
import time_machine

from exams import services

pytestmark = pytest.mark.django_db


def test_the_phones_time_up_submit_within_the_grace_is_marked_automatic(signed_in, exam, worker):
    attempt, _created = services.attempt_start(exam=exam, worker=worker)
    # The client's countdown reaches zero and posts submit a few seconds late.
    with time_machine.travel(attempt.deadline + timedelta(seconds=3), tick=False):
        graded = services.attempt_submit(attempt=attempt, user=worker.user, owner=worker.user)
        html = signed_in.get(f"/me/exams/attempts/{attempt.pk}/result/").content.decode()
    assert graded.auto_submitted
    assert "考试时间到，系统已自动交卷" in html


def test_a_submit_before_the_deadline_is_not(signed_in, exam, worker):
    attempt, _created = services.attempt_start(exam=exam, worker=worker)
    graded = services.attempt_submit(attempt=attempt, user=worker.user)
    html = signed_in.get(f"/me/exams/attempts/{attempt.pk}/result/").content.decode()
    assert not graded.auto_submitted
    assert "自动交卷" not in html
