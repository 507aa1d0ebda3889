"""Two requests enrolling the same worker at once leave one enrolment (PostgreSQL, threads)."""

import threading

from django.db import connection

import pytest

from courses import services
from courses.models import Enrolment, LessonProgress
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory
from tests.registry.factories import WorkerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_at_once(target, times: int = 4) -> list:
    barrier = threading.Barrier(times)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_enrolments_leave_one_row():
    course = CoursePageFactory(parent=CourseIndexPageFactory())
    LessonPageFactory(parent=course)
    worker = WorkerFactory()
    errors = _run_at_once(lambda: services.enrolment_create(worker=worker, course=course))
    assert errors == []
    assert Enrolment.objects.filter(worker=worker, course=course).count() == 1


def test_concurrent_completions_complete_once():
    course = CoursePageFactory(parent=CourseIndexPageFactory())
    lesson = LessonPageFactory(parent=course)
    worker = WorkerFactory()
    enrolment = services.enrolment_create(worker=worker, course=course)
    errors = _run_at_once(
        lambda: services.lesson_complete(
            enrolment=Enrolment.objects.get(pk=enrolment.pk), lesson=lesson
        )
    )
    assert errors == []
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
