"""Progress math (required vs optional lessons), continue-where-you-left-off, overviews."""

import pytest

from courses import selectors, services
from courses.selectors import CourseProgress
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    lesson_list,
    mark_course_completed,
    mark_lesson_completed,
)

pytestmark = pytest.mark.django_db


def test_progress_counts_only_requiredlesson_list(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    required = [les for les in lesson_list(course) if les.is_required]
    optional = [les for les in lesson_list(course) if not les.is_required]
    mark_lesson_completed(enrolment, optional[0])
    progress = selectors.course_progress(worker=worker, course=course)
    assert (progress.completed, progress.required, progress.percent) == (0, 3, 0)
    mark_lesson_completed(enrolment, required[0])
    progress = selectors.course_progress(worker=worker, course=course)
    assert (progress.completed, progress.required, progress.percent) == (1, 3, 33)
    assert not progress.is_complete


def test_all_required_without_optional_is_complete(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    for lesson in lesson_list(course):
        if lesson.is_required:
            mark_lesson_completed(enrolment, lesson)
    progress = selectors.course_progress(worker=worker, course=course)
    assert progress.is_complete and progress.percent == 100
    assert selectors.course_completed(worker=worker, course=course)


def test_unpublished_lessons_do_not_count(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lessons = [les for les in lesson_list(course) if les.is_required]
    mark_lesson_completed(enrolment, lessons[0])
    lessons[2].unpublish()
    progress = selectors.course_progress(worker=worker, course=course)
    assert (progress.completed, progress.required) == (1, 2)


def test_a_recorded_completion_survives_a_new_lesson(worker, course):
    mark_course_completed(worker, course)
    LessonPageFactory(parent=course, title="新增课时")
    progress = selectors.course_progress(worker=worker, course=course)
    assert progress.is_complete and progress.percent == 100
    assert progress.completed == 3 and progress.required == 4
    assert selectors.course_completed(worker=worker, course=course)


def test_not_enrolled_means_no_progress_and_not_completed(worker, course):
    progress = selectors.course_progress(worker=worker, course=course)
    assert not progress.is_enrolled and progress.percent == 0
    assert not selectors.course_completed(worker=worker, course=course)


def test_course_without_required_lessons_is_never_complete():
    progress = CourseProgress(completed=0, required=0)
    assert not progress.is_complete and progress.percent == 0


def test_percent_rounds_down_so_100_means_done():
    assert CourseProgress(completed=2, required=3).percent == 66
    assert CourseProgress(completed=199, required=200).percent == 99


def test_continue_is_the_last_lesson_opened_while_unfinished(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lessons = lesson_list(course)
    services.lesson_visit(enrolment=enrolment, lesson=lessons[1])
    [item] = selectors.learning_overview(worker=worker)
    assert item.continue_lesson.pk == lessons[1].pk


def test_continue_moves_past_a_finished_lesson(worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lessons = lesson_list(course)
    mark_lesson_completed(enrolment, lessons[0])
    services.lesson_visit(enrolment=enrolment, lesson=lessons[1])
    services.lesson_complete(enrolment=enrolment, lesson=lessons[1])
    [item] = selectors.learning_overview(worker=worker)
    assert item.continue_lesson.pk == lessons[2].pk


def test_continue_starts_at_the_first_lesson(worker, course):
    services.enrolment_create(worker=worker, course=course)
    [item] = selectors.learning_overview(worker=worker)
    assert item.continue_lesson.pk == lesson_list(course)[0].pk


def test_enrolments_for_worker_lists_the_most_recently_studied_first(worker, course_index):
    older, newer = CoursePageFactory(parent=course_index), CoursePageFactory(parent=course_index)
    LessonPageFactory(parent=older)
    lesson = LessonPageFactory(parent=newer)
    services.enrolment_create(worker=worker, course=older)
    enrolment = services.enrolment_create(worker=worker, course=newer)
    services.lesson_visit(enrolment=enrolment, lesson=lesson)
    assert [e.course_id for e in selectors.enrolments_for_worker(worker)] == [newer.pk, older.pk]


def test_enrolment_states_reports_only_enrolled_workers(worker, other_worker, course):
    mark_course_completed(worker, course)
    states = selectors.enrolment_states(course=course, worker_ids=[worker.pk, other_worker.pk])
    assert set(states) == {worker.pk} and states[worker.pk].is_complete


def test_missing_prerequisites_in_order(worker, course, course_index):
    second = CoursePageFactory(parent=course_index, title="第二门")
    third = CoursePageFactory(parent=course_index, title="第三门")
    third.prerequisites.add(course, second)
    third.save()
    mark_course_completed(worker, course)
    assert selectors.missing_prerequisites(worker=worker, course=third) == [second]
