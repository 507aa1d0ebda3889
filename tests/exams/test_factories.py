"""The factories other apps' tests build on."""

from exams import selectors
from exams.models import Attempt
from tests.exams.factories import AttemptFactory, FailedAttemptFactory, PassedAttemptFactory


def test_attempt_factory_builds_an_in_progress_attempt_with_its_snapshot(db):
    attempt = AttemptFactory()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.questions.count() == 5
    assert attempt.max_score == 100


def test_passed_attempt_factory_is_a_graded_passed_attempt(db):
    attempt = PassedAttemptFactory()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.passed is True
    assert attempt.score == attempt.max_score == 100
    assert list(selectors.passed_attempts()) == [attempt]


def test_failed_attempt_factory_is_graded_and_not_passed(db):
    attempt = FailedAttemptFactory()
    assert (attempt.status, attempt.passed, attempt.score) == (Attempt.Status.GRADED, False, 0)
    assert not selectors.passed_attempts().exists()
