"""Worker pages under /me/exams/: list, exam, attempt page, plain-form submit, result; IDOR."""

from datetime import timedelta

from django.utils import timezone

import pytest
import time_machine

from exams import services
from exams.models import Attempt
from registry.models import CreditRecord
from tests.care import without_care_scripts
from tests.courses.factories import EnrolmentFactory
from tests.exams.factories import AttemptFactory, ExamFactory, PassedAttemptFactory
from tests.lms.factories import StaffUserFactory
from tests.registry.factories import CreditRecordFactory


def test_the_list_shows_exams_of_enrolled_courses_with_their_state(
    signed_in, worker, exam, django_assert_max_num_queries
):
    EnrolmentFactory(worker=worker, course=exam.course)
    other = ExamFactory()
    EnrolmentFactory(worker=worker, course=other.course)
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
    with django_assert_max_num_queries(40):
        response = signed_in.get("/me/exams/")
    html = response.content.decode()
    assert response.status_code == 200
    assert exam.title in html and other.title in html
    assert "黑名单" in html
    assert 'worker-nav__link--active" href="/me/exams/"' in html


def test_the_exam_page_explains_why_a_worker_may_not_start(signed_in, worker):
    exam = ExamFactory(require_course_completed=True)
    html = signed_in.get(f"/me/exams/{exam.pk}/").content.decode()
    assert "请先学完课程" in html
    assert "开始考试</button>" not in html


def test_starting_from_the_page_opens_the_attempt(signed_in, worker, exam):
    response = signed_in.post(f"/me/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(worker=worker)
    assert response.status_code == 302
    assert response["Location"] == f"/me/exams/attempts/{attempt.pk}/"
    page = signed_in.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="exam-q"') == 5
    assert "exams/attempt.js" in html
    assert "<script>" not in without_care_scripts(html) and "style=" not in html
    assert 'data-deadline="' in html
    for aq in attempt.questions.all():
        assert aq.explanation not in html


def test_the_attempt_page_shows_saved_answers_checked(signed_in, worker, exam):
    attempt, _ = services.attempt_start(exam=exam, worker=worker)
    first = attempt.questions.first()
    services.answer_save(attempt=attempt, position=first.position, selected=["B"], seq=1)
    html = signed_in.get(f"/me/exams/attempts/{attempt.pk}/").content.decode()
    assert f'name="q{first.position}" value="B" checked' in html


def test_the_plain_form_submits_and_shows_the_result(signed_in, worker, exam):
    attempt, _ = services.attempt_start(exam=exam, worker=worker)
    data = {f"q{q.position}": ["A"] for q in attempt.questions.all()}
    response = signed_in.post(f"/me/exams/attempts/{attempt.pk}/submit/", data)
    assert response["Location"] == f"/me/exams/attempts/{attempt.pk}/result/"
    html = signed_in.get(response["Location"]).content.decode()
    assert "通过" in html and "100" in html
    attempt.refresh_from_db()
    assert attempt.passed


def test_an_overdue_attempt_page_goes_to_the_result(signed_in, worker, exam):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt, _ = services.attempt_start(exam=exam, worker=worker)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        response = signed_in.get(f"/me/exams/attempts/{attempt.pk}/")
        assert response["Location"] == f"/me/exams/attempts/{attempt.pk}/result/"
        html = signed_in.get(response["Location"]).content.decode()
    assert "时间到自动交卷" in html


def test_the_result_page_follows_the_review_mode(signed_in, worker):
    exam = ExamFactory(review="score")
    attempt = PassedAttemptFactory(exam=exam, worker=worker)
    html = signed_in.get(f"/me/exams/attempts/{attempt.pk}/result/").content.decode()
    assert "逐题查看" not in html
    exam.review = "explanations"
    exam.save()
    html = signed_in.get(f"/me/exams/attempts/{attempt.pk}/result/").content.decode()
    assert "逐题查看" in html and "解析" in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me/exams/attempts/{id}/"),
        ("post", "/me/exams/attempts/{id}/submit/"),
        ("get", "/me/exams/attempts/{id}/result/"),
    ],
)
def test_another_workers_attempt_is_404_on_every_page(signed_in, other_worker, method, path):
    for attempt in (AttemptFactory(worker=other_worker), PassedAttemptFactory(worker=other_worker)):
        response = getattr(signed_in, method)(path.format(id=attempt.pk))
        assert response.status_code == 404
    assert Attempt.objects.get(worker=other_worker, status="in_progress")


def test_pages_need_a_login_and_a_worker(client, login_staff, exam):
    response = client.get("/me/exams/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login_staff(client, StaffUserFactory())
    assert client.get("/me/exams/").status_code == 404
    assert client.get(f"/me/exams/{exam.pk}/").status_code == 404


def test_the_pages_speak_english_when_asked(signed_in, worker, exam):
    EnrolmentFactory(worker=worker, course=exam.course)
    html = signed_in.get("/me/exams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My exams" in html and "View and start" in html
