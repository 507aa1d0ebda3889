"""Attempt services: start/resume, eligibility, drawing, saving with sequence numbers, grading."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest
import time_machine

from exams import services
from exams.models import Answer, Attempt, Exam
from lms.audit import audit_entries
from registry.models import CreditRecord, FilingStatus
from tests.courses.factories import mark_course_completed
from tests.exams.factories import (
    AccommodationFactory,
    ExamFactory,
    FailedAttemptFactory,
    QuestionCategoryFactory,
    QuestionFactory,
)
from tests.registry.factories import CreditRecordFactory, WorkerFactory

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def start(exam, worker, seed=1):
    return services.attempt_start(exam=exam, worker=worker, rng=random.Random(seed))


def codes(exc):
    return [r.code for r in exc.value.refusals]


# --- starting -------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_start_fixes_the_deadline_from_the_server_clock(exam, worker):
    attempt, created = start(exam, worker)
    assert created
    assert attempt.started_at == T0
    assert attempt.deadline == T0 + timedelta(minutes=30)
    assert attempt.number == 1
    assert attempt.questions.count() == 5
    assert [e.action for e in audit_entries(attempt)] == ["exams.attempt_start"]


@time_machine.travel(T0, tick=False)
def test_accommodation_adds_extra_time_to_the_deadline(exam, worker):
    AccommodationFactory(exam=exam, worker=worker, extra_minutes=15)
    attempt, _ = start(exam, worker)
    assert attempt.deadline == T0 + timedelta(minutes=45)


@time_machine.travel(T0, tick=False)
def test_deadline_never_passes_the_exam_closing_time(worker):
    exam = ExamFactory(available_until=T0 + timedelta(minutes=10))
    attempt, _ = start(exam, worker)
    assert attempt.deadline == T0 + timedelta(minutes=10)


def test_starting_again_resumes_the_attempt_in_progress(exam, worker):
    first, created = start(exam, worker)
    again, created_again = start(exam, worker, seed=99)
    assert created and not created_again
    assert again.pk == first.pk
    assert Attempt.objects.filter(worker=worker).count() == 1


def test_an_overdue_open_attempt_is_graded_before_a_new_one_starts(exam, worker):
    with time_machine.travel(T0, tick=False):
        first, _ = start(exam, worker)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        second, created = start(exam, worker)
    first.refresh_from_db()
    assert first.status == Attempt.Status.GRADED and first.auto_submitted
    assert created and second.number == 2


# --- eligibility ------------------------------------------------------------


def test_a_worker_whose_filing_is_not_approved_is_refused_with_the_reason(exam):
    worker = WorkerFactory(status=FilingStatus.UNDER_REVIEW)
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert codes(exc) == ["filing_not_approved"]
    assert "审核中" in exc.value.refusals[0].message


def test_a_blacklisted_worker_is_refused(exam, worker):
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert codes(exc) == ["blacklisted"]
    assert "黑名单" in exc.value.message


def test_an_unfinished_course_is_refused_until_it_is_completed(worker):
    exam = ExamFactory(require_course_completed=True)
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert codes(exc) == ["course_not_completed"]
    assert exam.course.title in exc.value.refusals[0].message
    mark_course_completed(worker, exam.course)
    attempt, created = start(exam, worker)
    assert created


def test_every_reason_is_given_at_once(worker):
    exam = ExamFactory(require_course_completed=True, is_active=False)
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert set(codes(exc)) == {"inactive", "blacklisted", "course_not_completed"}


@time_machine.travel(T0, tick=False)
def test_the_availability_window_is_enforced(worker):
    early = ExamFactory(available_from=T0 + timedelta(days=1))
    late = ExamFactory(available_until=T0 - timedelta(minutes=1))
    with pytest.raises(services.NotEligible) as exc:
        start(early, worker)
    assert codes(exc) == ["not_open_yet"]
    with pytest.raises(services.NotEligible) as exc:
        start(late, worker)
    assert codes(exc) == ["closed"]


def test_attempts_allowed_counts_extra_attempts(worker):
    exam = ExamFactory(attempts_allowed=1)
    FailedAttemptFactory(exam=exam, worker=worker, number=1)
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert codes(exc) == ["no_attempts_left"]
    AccommodationFactory(exam=exam, worker=worker, extra_attempts=1)
    attempt, _ = start(exam, worker)
    assert attempt.number == 2


def test_cooldown_between_attempts(worker):
    exam = ExamFactory(cooldown_minutes=60)
    with time_machine.travel(T0, tick=False):
        FailedAttemptFactory(
            exam=exam, worker=worker, number=1, started_at=T0 - timedelta(minutes=20)
        )
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        with pytest.raises(services.NotEligible) as exc:
            start(exam, worker)
        assert codes(exc) == ["cooldown"]
    with time_machine.travel(T0 + timedelta(minutes=61), tick=False):
        assert start(exam, worker)[1]


def test_a_passed_exam_is_not_sat_again(exam, worker):
    attempt, _ = start(exam, worker)
    for q in attempt.questions.all():
        services.answer_save(
            attempt=attempt, position=q.position, selected=q.correct, seq=q.position
        )
    assert services.attempt_submit(attempt=attempt).passed
    with pytest.raises(services.NotEligible) as exc:
        start(exam, worker)
    assert codes(exc) == ["already_passed"]


# --- drawing ----------------------------------------------------------------


def test_draw_rules_take_the_count_from_each_category_with_its_points(mixed_exam, worker):
    attempt, _ = start(mixed_exam, worker)
    questions = list(attempt.questions.select_related("question__category"))
    by_category = {}
    for q in questions:
        by_category.setdefault(q.question.category.name, []).append(q.points)
    assert sorted(by_category["安全常识"]) == [10, 10, 10]
    assert sorted(by_category["家庭保洁"]) == [20, 20]
    assert attempt.max_score == 70
    assert len({q.question_id for q in questions}) == 5


def test_inactive_questions_are_never_drawn(worker):
    category = QuestionCategoryFactory()
    active = QuestionFactory.create_batch(3, category=category)
    QuestionFactory.create_batch(5, category=category, is_active=False)
    exam = ExamFactory(rules=[(category, 3, 10)])
    attempt, _ = start(exam, worker)
    assert {q.question_id for q in attempt.questions.all()} == {q.pk for q in active}


def test_a_bank_too_small_for_the_rules_refuses_to_start(worker):
    category = QuestionCategoryFactory()
    QuestionFactory.create_batch(2, category=category)
    exam = ExamFactory(rules=[(category, 3, 10)])
    with pytest.raises(services.BankTooSmall):
        start(exam, worker)
    assert not Attempt.objects.filter(worker=worker).exists()


def test_shuffling_changes_question_and_choice_order_between_attempts(worker, other_worker):
    category = QuestionCategoryFactory()
    QuestionFactory.create_batch(10, category=category)
    exam = ExamFactory(rules=[(category, 10, 10)], shuffle_questions=True, shuffle_choices=True)
    a, _ = start(exam, worker, seed=1)
    b, _ = start(exam, other_worker, seed=2)
    order_a = [q.question_id for q in a.questions.all()]
    order_b = [q.question_id for q in b.questions.all()]
    assert sorted(order_a) == sorted(order_b) and order_a != order_b
    choices_a = [[c["key"] for c in q.choices] for q in a.questions.all()]
    assert any(keys != ["A", "B", "C", "D"] for keys in choices_a)
    assert all(sorted(keys) == ["A", "B", "C", "D"] for keys in choices_a)


def test_without_shuffling_questions_follow_the_rules_and_choices_keep_their_order(worker):
    first = QuestionCategoryFactory()
    second = QuestionCategoryFactory()
    q1 = QuestionFactory.create_batch(2, category=first)
    q2 = QuestionFactory.create_batch(2, category=second)
    exam = ExamFactory(
        rules=[(first, 2, 10), (second, 2, 10)], shuffle_questions=False, shuffle_choices=False
    )
    attempt, _ = start(exam, worker)
    assert [q.question_id for q in attempt.questions.all()] == [q.pk for q in q1 + q2]
    assert all([c["key"] for c in q.choices] == list("ABCD") for q in attempt.questions.all())


def test_editing_the_bank_never_changes_a_drawn_attempt(exam, worker):
    attempt, _ = start(exam, worker)
    shown = attempt.questions.first()
    question = shown.question
    question.stem = "改过的题干"
    question.correct = ["B"]
    question.save()
    shown.refresh_from_db()
    assert shown.stem != "改过的题干"
    assert shown.correct == ["A"]
    services.answer_save(attempt=attempt, position=shown.position, selected=["A"], seq=1)
    graded = services.attempt_submit(attempt=attempt)
    assert Answer.objects.get(attempt_question=shown).is_correct
    assert graded.score == 20


# --- saving -------------------------------------------------------------------


def test_save_stores_the_answer_with_its_sequence_number(exam, worker):
    attempt, _ = start(exam, worker)
    result = services.answer_save(attempt=attempt, position=1, selected=["B"], seq=3)
    assert (result.outcome, result.applied, result.selected, result.seq) == (
        "saved",
        True,
        ["B"],
        3,
    )


def test_a_retried_save_is_idempotent(exam, worker):
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["B"], seq=3)
    again = services.answer_save(attempt=attempt, position=1, selected=["B"], seq=3)
    assert (again.outcome, again.applied) == ("duplicate", True)
    assert Answer.objects.filter(attempt_question__attempt=attempt).count() == 1


def test_a_late_older_save_never_overwrites_a_newer_answer(exam, worker):
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["C"], seq=5)
    late = services.answer_save(attempt=attempt, position=1, selected=["B"], seq=4)
    assert (late.outcome, late.applied, late.selected, late.seq) == ("stale", False, ["C"], 5)
    same_seq_other_choice = services.answer_save(attempt=attempt, position=1, selected=["D"], seq=5)
    assert same_seq_other_choice.outcome == "stale"
    answer = Answer.objects.get(attempt_question__attempt=attempt, attempt_question__position=1)
    assert (answer.selected, answer.seq) == (["C"], 5)


def test_out_of_order_saves_end_with_the_highest_sequence_number(exam, worker):
    attempt, _ = start(exam, worker)
    arrivals = [(2, ["B"]), (5, ["D"]), (1, ["A"]), (4, ["C"]), (3, ["B"])]
    for seq, selected in arrivals:
        services.answer_save(attempt=attempt, position=2, selected=selected, seq=seq)
    answer = Answer.objects.get(attempt_question__attempt=attempt, attempt_question__position=2)
    assert (answer.selected, answer.seq) == (["D"], 5)


def test_an_empty_selection_clears_the_answer(exam, worker):
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)
    services.answer_save(attempt=attempt, position=1, selected=[], seq=2)
    assert Answer.objects.get(attempt_question__attempt=attempt).selected == []


@pytest.mark.parametrize(
    ("position", "selected", "seq"),
    [(99, ["A"], 1), (1, ["Z"], 1), (1, ["A", "B"], 1), (1, ["A"], 0)],
)
def test_invalid_saves_are_refused(exam, worker, position, selected, seq):
    attempt, _ = start(exam, worker)
    with pytest.raises(services.InvalidAnswer):
        services.answer_save(attempt=attempt, position=position, selected=selected, seq=seq)
    assert not Answer.objects.filter(attempt_question__attempt=attempt).exists()


def test_a_save_within_the_grace_is_accepted(exam, worker, settings):
    settings.EXAMS_SAVE_GRACE_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        attempt, _ = start(exam, worker)
    with time_machine.travel(attempt.deadline + timedelta(seconds=30), tick=False):
        result = services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)
    assert result.outcome == "saved"


def test_a_save_one_second_after_deadline_plus_grace_is_refused_and_changes_nothing(
    exam, worker, settings
):
    settings.EXAMS_SAVE_GRACE_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        attempt, _ = start(exam, worker)
        services.answer_save(attempt=attempt, position=1, selected=["B"], seq=1)
    late = time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False)
    with late, pytest.raises(services.TimeUp):
        services.answer_save(attempt=attempt, position=1, selected=["A"], seq=2)
    answer = Answer.objects.get(attempt_question__attempt=attempt, attempt_question__position=1)
    assert (answer.selected, answer.seq) == (["B"], 1)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.auto_submitted
    assert attempt.score == 0


def test_saving_after_submission_is_refused(exam, worker):
    attempt, _ = start(exam, worker)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(services.AttemptFinished):
        services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)


# --- grading --------------------------------------------------------------------


def test_submit_grades_with_the_saved_answers_and_stores_per_question_results(exam, worker):
    attempt, _ = start(exam, worker)
    questions = list(attempt.questions.all())
    for q in questions[:4]:
        services.answer_save(attempt=attempt, position=q.position, selected=["A"], seq=q.position)
    graded = services.attempt_submit(attempt=attempt, user=worker.user)
    assert graded.status == Attempt.Status.GRADED
    assert (graded.score, graded.max_score, graded.passed) == (80, 100, True)
    assert not graded.auto_submitted
    answers = {
        a.attempt_question.position: a
        for a in Answer.objects.filter(attempt_question__attempt=attempt)
    }
    assert len(answers) == 5
    unanswered = answers[questions[4].position]
    assert (unanswered.selected, unanswered.score, unanswered.saved_at) == ([], 0, None)


def test_submitting_twice_grades_once(exam, worker):
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)
    first = services.attempt_submit(attempt=attempt)
    second = services.attempt_submit(attempt=attempt)
    assert (first.score, first.submitted_at) == (second.score, second.submitted_at)
    actions = [e.action for e in audit_entries(first)]
    assert actions.count("exams.attempt_submit") == 1


def test_partial_scoring_of_multiple_choice(mixed_exam, worker):
    attempt, _ = start(mixed_exam, worker)
    for seq, q in enumerate(attempt.questions.all(), start=1):
        selected = ["A"] if q.type == "multiple" else q.correct  # half the keys of A+C
        services.answer_save(attempt=attempt, position=q.position, selected=selected, seq=seq)
    graded = services.attempt_submit(attempt=attempt)
    assert graded.score == Decimal("30") + Decimal("20")  # 3 × 10 + 2 × (20 × 1/2)
    assert graded.passed is False  # 50 / 70 = 71 %


def test_all_or_nothing_scoring_gives_nothing_for_half_an_answer(worker):
    category = QuestionCategoryFactory()
    QuestionFactory.create_batch(2, category=category, multiple=True)
    exam = ExamFactory(
        rules=[(category, 2, 10)], multiple_scoring=Exam.MultipleScoring.ALL_OR_NOTHING
    )
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["A"], seq=1)
    services.answer_save(attempt=attempt, position=2, selected=["A", "C"], seq=2)
    assert services.attempt_submit(attempt=attempt).score == 10


def test_a_passing_grade_sends_the_certificate_task_after_commit(
    exam, worker, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "exams.services.send_task_by_name", lambda name, *args: sent.append((name, args))
    )
    attempt, _ = start(exam, worker)
    for q in attempt.questions.all():
        services.answer_save(attempt=attempt, position=q.position, selected=["A"], seq=q.position)
    services.attempt_submit(attempt=attempt)
    services.attempt_submit(attempt=attempt)
    assert sent == [("certificates.tasks.certificate_issue_for_attempt", (attempt.pk,))]


def test_a_failing_grade_sends_nothing(exam, worker, monkeypatch):
    sent = []
    monkeypatch.setattr("exams.services.send_task_by_name", lambda *a: sent.append(a))
    attempt, _ = start(exam, worker)
    assert services.attempt_submit(attempt=attempt).passed is False
    assert sent == []


def test_the_plain_form_saves_every_answer_then_submits(exam, worker):
    attempt, _ = start(exam, worker)
    services.answer_save(attempt=attempt, position=1, selected=["B"], seq=7)
    positions = [q.position for q in attempt.questions.all()]
    graded = services.attempt_save_all_and_submit(
        attempt=attempt, answers={p: ["A"] for p in positions}, user=worker.user
    )
    assert graded.score == 100
    answer = Answer.objects.get(attempt_question__attempt=attempt, attempt_question__position=1)
    assert answer.seq == 8
