"""Worker pages: my learning, enrolling, marking lessons done, progress reports, IDOR 404s."""

import json

from django.urls import reverse

import pytest

from courses import selectors, services
from courses.models import Enrolment, LessonProgress
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    mark_course_completed,
    mark_lesson_completed,
)
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _done_url(enrolment, lesson):
    return reverse("courses:lesson_done", args=[enrolment.pk, lesson.pk])


def _progress_url(enrolment, lesson):
    return reverse("courses:lesson_progress", args=[enrolment.pk, lesson.pk])


# --- my learning ---------------------------------------------------------------------


def test_my_learning_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_learning_is_404_for_a_login_without_a_worker(client, login_worker):
    login_worker(client, WorkerUserFactory())
    assert client.get("/me/").status_code == 404


def test_my_learning_shows_progress_and_where_to_continue(client, login_worker, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lessons = list(selectors.lessons_of(course))
    mark_lesson_completed(enrolment, lessons[0])
    services.lesson_visit(enrolment=enrolment, lesson=lessons[1])
    login_worker(client, worker.user)
    response = client.get("/me/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="worker-nav__link worker-nav__link--active" href="/me/"' in html
    assert '<progress class="course-progress__bar" max="100" value="33"' in html
    assert "从上次离开的地方继续" in html
    assert lessons[1].title in html


def test_my_learning_with_twenty_enrolments_runs_a_bounded_number_of_queries(
    client, login_worker, worker, course_index, django_assert_max_num_queries
):
    for _ in range(20):
        course = CoursePageFactory(parent=course_index)
        lessons = LessonPageFactory.create_batch(3, parent=course)
        enrolment = services.enrolment_create(worker=worker, course=course)
        mark_lesson_completed(enrolment, lessons[0])
    login_worker(client, worker.user)
    client.get("/me/")  # warm the site root paths cache
    with django_assert_max_num_queries(13):
        response = client.get("/me/")
    assert response.status_code == 200
    assert response.content.decode().count('<li class="card learning-card">') == 20


def test_lesson_page_for_an_enrolled_worker_runs_a_bounded_number_of_queries(
    client, login_worker, worker, course, django_assert_max_num_queries
):
    services.enrolment_create(worker=worker, course=course)
    lesson = selectors.lessons_of(course)[1]
    login_worker(client, worker.user)
    client.get(lesson.url)
    with django_assert_max_num_queries(24):
        assert client.get(lesson.url).status_code == 200


# --- enrolling -------------------------------------------------------------------------


def test_worker_enrols_from_the_course_page_and_lands_on_the_first_lesson(
    client, login_worker, worker, course
):
    login_worker(client, worker.user)
    page = client.get(course.url)
    assert "报名学习" in page.content.decode()
    response = client.post(reverse("courses:enrol", args=[course.pk]))
    first = selectors.lessons_of(course).first()
    assert response.status_code == 302
    assert response["Location"] == first.url
    assert Enrolment.objects.filter(worker=worker, course=course).count() == 1
    client.post(reverse("courses:enrol", args=[course.pk]))
    assert Enrolment.objects.filter(worker=worker, course=course).count() == 1


def test_enrolment_with_a_missing_prerequisite_says_which_course_first(
    client, login_worker, worker, course, course_index
):
    advanced = CoursePageFactory(parent=course_index, title="养老护理专项")
    advanced.prerequisites.add(course)
    advanced.save()
    login_worker(client, worker.user)
    page = client.get(advanced.url).content.decode()
    assert "报名本课程前，请先学完" in page and "《上门服务证培训》" in page
    response = client.post(reverse("courses:enrol", args=[advanced.pk]), follow=True)
    assert "请先学完《上门服务证培训》，再报名《养老护理专项》。" in response.content.decode()
    assert not Enrolment.objects.filter(course=advanced).exists()


def test_enrolling_needs_a_worker(client, login_worker, course):
    login_worker(client, WorkerUserFactory())
    assert client.post(reverse("courses:enrol", args=[course.pk])).status_code == 404


# --- marking lessons done ------------------------------------------------------------------


def test_marking_a_lesson_done_moves_to_the_next_lesson(client, login_worker, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lessons = list(selectors.lessons_of(course))
    login_worker(client, worker.user)
    response = client.post(_done_url(enrolment, lessons[0]))
    assert response.status_code == 302
    assert response["Location"] == lessons[1].url
    assert LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[0]).completed_at
    page = client.get(lessons[1].url).content.decode()
    assert 'value="33"' in page


def test_completing_the_last_required_lesson_congratulates(client, login_worker, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    required = [les for les in selectors.lessons_of(course) if les.is_required]
    for lesson in required[:-1]:
        mark_lesson_completed(enrolment, lesson)
    login_worker(client, worker.user)
    response = client.post(_done_url(enrolment, required[-1]), follow=True)
    assert "您已学完《上门服务证培训》的全部必修课时" in response.content.decode()
    assert selectors.course_completed(worker=worker, course=course)


def test_cannot_mark_progress_in_a_course_without_enrolment(
    client, login_worker, worker, other_worker, course
):
    others = services.enrolment_create(worker=other_worker, course=course)
    lesson = selectors.lessons_of(course).first()
    login_worker(client, worker.user)
    assert client.post(_done_url(others, lesson)).status_code == 404
    assert client.post(_progress_url(others, lesson)).status_code == 404
    assert not LessonProgress.objects.filter(enrolment=others).exists()


def test_cannot_mark_progress_for_another_workers_enrolment(
    client, login_worker, worker, other_worker, course
):
    services.enrolment_create(worker=worker, course=course)
    others = services.enrolment_create(worker=other_worker, course=course)
    lesson = selectors.lessons_of(course).first()
    login_worker(client, worker.user)
    assert client.post(_done_url(others, lesson)).status_code == 404
    assert not LessonProgress.objects.filter(enrolment=others).exists()


def test_cannot_mark_a_lesson_of_another_course_through_own_enrolment(
    client, login_worker, worker, course, course_index
):
    enrolment = services.enrolment_create(worker=worker, course=course)
    foreign = LessonPageFactory(parent=CoursePageFactory(parent=course_index))
    login_worker(client, worker.user)
    assert client.post(_done_url(enrolment, foreign)).status_code == 404


def test_marking_done_needs_a_post(client, login_worker, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    login_worker(client, worker.user)
    lesson = selectors.lessons_of(course).first()
    assert client.get(_done_url(enrolment, lesson)).status_code == 405


def test_video_lesson_done_too_early_shows_what_is_missing(client, login_worker, worker, course):
    lesson = LessonPageFactory(parent=course, video=True, video_duration=300)
    enrolment = services.enrolment_create(worker=worker, course=course)
    login_worker(client, worker.user)
    response = client.post(_done_url(enrolment, lesson), follow=True)
    assert "请先看完视频" in response.content.decode()
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()


# --- progress reports ----------------------------------------------------------------------


def test_progress_report_answers_json(client, login_worker, worker, course):
    lesson = LessonPageFactory(parent=course, video=True, video_duration=300)
    enrolment = services.enrolment_create(worker=worker, course=course)
    login_worker(client, worker.user)
    client.get(lesson.url)
    response = client.post(_progress_url(enrolment, lesson), {"ranges": json.dumps([[0, 3]])})
    assert response.status_code == 200
    assert response.json() == {
        "watched": 3,
        "needed": 270,
        "can_complete": False,
        "completed": False,
    }


def test_progress_report_ignores_garbage(client, login_worker, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lesson = selectors.lessons_of(course).first()
    login_worker(client, worker.user)
    response = client.post(_progress_url(enrolment, lesson), {"ranges": "{not json"})
    assert response.status_code == 200
    assert response.json()["watched"] == 0


def test_progress_report_refuses_anonymous(client, worker, course):
    enrolment = services.enrolment_create(worker=worker, course=course)
    lesson = selectors.lessons_of(course).first()
    assert client.post(_progress_url(enrolment, lesson)).status_code == 403


def test_completed_course_page_offers_the_exam(client, login_worker, worker, course):
    mark_course_completed(worker, course)
    login_worker(client, worker.user)
    html = client.get(course.url).content.decode()
    assert "可以参加考试了" in html and 'value="100"' in html


def test_other_workers_do_not_see_each_others_progress(client, login_worker, worker, course):
    mark_course_completed(worker, course)
    stranger = WorkerFactory(user=WorkerUserFactory())
    login_worker(client, stranger.user)
    html = client.get(course.url).content.decode()
    assert "报名学习" in html and 'value="100"' not in html
