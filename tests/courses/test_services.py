"""Enrolment, lesson completion and time/video tracking (courses.services)."""

import datetime

from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest
import time_machine

from courses import selectors, services
from courses.models import Enrolment, LessonProgress
from lms.audit import audit_entries
from tests.courses.factories import (
    CoursePageFactory,
    EnrolmentFactory,
    LessonPageFactory,
    lesson_list,
    mark_course_completed,
)
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db


# --- enrolment -------------------------------------------------------------------


def test_enrolment_create_is_idempotent(worker, course):
    first = services.enrolment_create(worker=worker, course=course)
    second = services.enrolment_create(worker=worker, course=course)
    assert first.pk == second.pk
    assert Enrolment.objects.filter(worker=worker, course=course).count() == 1


def test_enrolment_create_is_audited_with_the_acting_user(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course, acting_user=worker.user)
    entry = audit_entries(enrolment).get()
    assert entry.action == "courses.enrolment_create"
    assert entry.user_id == worker.user_id
    assert enrolment.enrolled_by == worker.user


def test_enrolment_refused_while_a_prerequisite_is_not_completed(worker, course, course_index):
    advanced = CoursePageFactory(parent=course_index, title="母婴护理专项")
    advanced.prerequisites.add(course)
    advanced.save()
    with pytest.raises(services.EnrolmentRefused) as error:
        services.enrolment_create(worker=worker, course=advanced)
    assert "《上门服务证培训》" in error.value.messages[0]
    assert not Enrolment.objects.filter(course=advanced).exists()


def test_enrolment_allowed_once_the_prerequisite_is_completed(worker, course, course_index):
    advanced = CoursePageFactory(parent=course_index)
    advanced.prerequisites.add(course)
    advanced.save()
    mark_course_completed(worker, course)
    enrolment = services.enrolment_create(worker=worker, course=advanced)
    assert enrolment.course == advanced


def test_enrolment_refused_for_an_unpublished_course(worker, course):
    course.unpublish()
    course.refresh_from_db()
    with pytest.raises(services.EnrolmentRefused):
        services.enrolment_create(worker=worker, course=course)


def test_bulk_enrolment_creates_once_and_reports_existing_and_refused(course, course_index, user):
    workers = WorkerFactory.create_batch(3)
    services.enrolment_create(worker=workers[0], course=course)
    result = services.enrolments_bulk_create(workers=workers, course=course, acting_user=user)
    assert len(result.created) == 2
    assert [e.worker_id for e in result.existing] == [workers[0].pk]
    again = services.enrolments_bulk_create(workers=workers, course=course, acting_user=user)
    assert again.created == [] and len(again.existing) == 3
    assert Enrolment.objects.filter(course=course).count() == 3
    assert (
        PageLogEntry.objects.filter(page=course, action="courses.enrolment_bulk_create").count()
        == 1
    )


def test_bulk_enrolment_refuses_workers_missing_a_prerequisite(course, course_index, user):
    advanced = CoursePageFactory(parent=course_index)
    advanced.prerequisites.add(course)
    advanced.save()
    ready, not_ready = WorkerFactory.create_batch(2)
    mark_course_completed(ready, course)
    result = services.enrolments_bulk_create(
        workers=[ready, not_ready], course=advanced, acting_user=user
    )
    assert [e.worker_id for e in result.created] == [ready.pk]
    assert course.title in result.refused[not_ready.pk]


@pytest.fixture
def user(db):
    from tests.lms.factories import StaffUserFactory

    return StaffUserFactory()


# --- completion and course progress ------------------------------------------------


def test_completing_every_required_lesson_completes_the_course(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    required = [lesson for lesson in lesson_list(course) if lesson.is_required]
    for lesson in required[:-1]:
        services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert not selectors.course_completed(worker=worker, course=course)
    services.lesson_complete(enrolment=enrolment, lesson=required[-1])
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert selectors.course_completed(worker=worker, course=course)
    assert audit_entries(enrolment).filter(action="courses.course_complete").count() == 1


def test_lesson_complete_is_idempotent(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lesson = lesson_list(course)[0]
    first = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    second = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert first.completed_at == second.completed_at
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1


def test_lesson_of_another_course_is_refused(worker, course, course_index):
    enrolment = services.enrolment_create(worker=worker, course=course)
    foreign = LessonPageFactory(parent=CoursePageFactory(parent=course_index))
    with pytest.raises(services.ValidationError):
        services.lesson_complete(enrolment=enrolment, lesson=foreign)
    assert not LessonProgress.objects.filter(lesson=foreign).exists()


def test_time_spent_counts_the_gap_between_visit_and_completion(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lesson = lesson_list(course)[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.lesson_visit(enrolment=enrolment, lesson=lesson)
    with time_machine.travel(start + datetime.timedelta(minutes=4), tick=False):
        progress = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert progress.time_spent_seconds == 240


def test_time_spent_ignores_a_gap_too_long_to_be_study(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lesson = lesson_list(course)[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.lesson_visit(enrolment=enrolment, lesson=lesson)
    with time_machine.travel(start + datetime.timedelta(hours=3), tick=False):
        progress = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert progress.time_spent_seconds == 0


def test_visit_remembers_the_lesson_to_continue_from(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    second = lesson_list(course)[1]
    services.lesson_visit(enrolment=enrolment, lesson=second)
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id == second.pk
    assert enrolment.last_activity_at is not None


# --- video lessons ---------------------------------------------------------------------


@pytest.fixture
def video_lesson(course):
    return LessonPageFactory(parent=course, video=True, video_duration=600)


def test_video_lesson_cannot_be_completed_before_most_of_it_is_watched(
    worker, course, video_lesson
):
    enrolment = services.enrolment_create(worker=worker, course=course)
    with pytest.raises(services.ProgressRefused) as error:
        services.lesson_complete(enrolment=enrolment, lesson=video_lesson)
    assert "540" in error.value.messages[0]


def test_reported_video_is_believed_only_as_fast_as_the_clock_allows(worker, course, video_lesson):
    enrolment = services.enrolment_create(worker=worker, course=course)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.lesson_visit(enrolment=enrolment, lesson=video_lesson)
    with time_machine.travel(start + datetime.timedelta(seconds=60), tick=False):
        # The page claims the whole video after one minute.
        progress = services.lesson_progress_report(
            enrolment=enrolment, lesson=video_lesson, video_ranges=[[0, 600]]
        )
    assert progress.video_seconds_watched == 60 * services.MAX_PLAYBACK_RATE + services.REPORT_SLACK
    with pytest.raises(services.ProgressRefused):
        services.lesson_complete(enrolment=enrolment, lesson=video_lesson)


def test_video_lesson_completes_after_ninety_percent_is_played(worker, course, video_lesson):
    enrolment = services.enrolment_create(worker=worker, course=course)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.lesson_visit(enrolment=enrolment, lesson=video_lesson)
    # Ten reports, a minute apart, each of the next minute of video (with one skipped part).
    for minute in range(1, 10):
        with time_machine.travel(start + datetime.timedelta(minutes=minute), tick=False):
            services.lesson_progress_report(
                enrolment=enrolment,
                lesson=video_lesson,
                video_ranges=[[(minute - 1) * 60, minute * 60]],
            )
    with time_machine.travel(start + datetime.timedelta(minutes=9, seconds=30), tick=False):
        progress = services.lesson_complete(enrolment=enrolment, lesson=video_lesson)
    assert progress.video_seconds_watched == 540
    assert progress.completed_at is not None
    assert progress.time_spent_seconds == 570


def test_replayed_video_does_not_count_twice(worker, course, video_lesson):
    enrolment = services.enrolment_create(worker=worker, course=course)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.lesson_visit(enrolment=enrolment, lesson=video_lesson)
    for minute in (1, 2):
        with time_machine.travel(start + datetime.timedelta(minutes=minute), tick=False):
            progress = services.lesson_progress_report(
                enrolment=enrolment, lesson=video_lesson, video_ranges=[[0, 60]]
            )
    assert progress.video_seconds_watched == 60


def test_merge_ranges_merges_overlaps_and_clips():
    assert services.merge_ranges([[10, 20], [0, 5], [4, 12], [30, 900]], limit=600) == [
        [0.0, 20.0],
        [30.0, 600.0],
    ]
    assert services.merge_ranges([["x", 1], [5, 2], [float("nan"), 3], [-5, 2]]) == [[0.0, 2.0]]


def test_enrolment_factory_builds_an_enrolment():
    enrolment = EnrolmentFactory()
    assert enrolment.worker.pk and enrolment.course.live
