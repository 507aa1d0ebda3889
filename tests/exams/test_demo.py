"""The exams demo: a real bank over the six lesson topics, two exams, graded attempts; idempotent."""

from exams import demo
from exams.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    DrawRule,
    Exam,
    Question,
    QuestionCategory,
)
from lms.demo import DemoContext
from tests.courses.factories import CoursePageFactory, mark_course_completed
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

TOPICS = {
    "服务规范与职业道德",
    "安全常识与应急处理",
    "家庭保洁",
    "母婴照护基础",
    "老人照护基础",
    "法律法规与权益保护",
}


def counts():
    return [
        m.objects.count()
        for m in (QuestionCategory, Question, Exam, DrawRule, Attempt, AttemptQuestion, Answer)
    ]


def test_the_demo_builds_the_bank_exams_and_attempts_and_runs_twice_alike(db, monkeypatch):
    monkeypatch.setattr("exams.services.send_task_by_name", lambda *a: None)
    course = CoursePageFactory()
    workers = [ApprovedWorkerFactory(user=WorkerUserFactory()) for _ in range(4)]
    for worker in workers:
        mark_course_completed(worker, course)
    ctx = DemoContext(password="x", data={"course": course, "course_completed_workers": workers})

    demo.seed(ctx)
    first = counts()
    demo.seed(ctx)
    assert counts() == first

    assert set(QuestionCategory.objects.values_list("name", flat=True)) == TOPICS
    assert Question.objects.count() >= 60
    assert set(Question.objects.values_list("type", flat=True)) == {
        "single",
        "multiple",
        "true_false",
    }
    exam, short = ctx.data["exam"], ctx.data["demo_exam"]
    assert (exam.question_count, exam.time_limit_minutes, exam.pass_mark, exam.total_points) == (
        20,
        30,
        80,
        100,
    )
    assert (short.question_count, short.time_limit_minutes, short.total_points) == (5, 2, 100)
    graded = Attempt.objects.filter(exam=exam, status="graded")
    assert graded.count() == 4
    assert graded.filter(passed=True).exists() and graded.filter(passed=False).exists()
    assert {a.pk for a in ctx.data["passed_attempts"]} == set(
        graded.filter(passed=True).values_list("pk", flat=True)
    )
