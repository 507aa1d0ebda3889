"""Demo data of the exams app: the question bank, the 上门服务证 exam, a 2-minute demo exam,
and graded attempts (passed and failed) of workers who completed the course.

Runs after registry and courses (reads ``ctx.data["course"]``,
``ctx.data["course_completed_workers"]``, ``ctx.users["worker"]``); idempotent:
questions are found by (category, stem), exams by title, and a worker who
already has an attempt at the exam gets no new one. Hands off
``ctx.data["exam"]``, ``ctx.data["demo_exam"]`` and ``ctx.data["passed_attempts"]``.
"""

import random
from decimal import Decimal

from django.conf import settings

from registry.selectors.access import worker_for_user

from . import services, xlsx
from .demo_bank import BANK
from .models import Attempt, DrawRule, Exam, Question, QuestionCategory

EXAM_TITLE = "上门服务证考核"
DEMO_EXAM_TITLE = "演示考试（5 题 2 分钟）"
# Questions drawn from each topic for the 20-question exam (5 points each).
MAIN_DRAW = [4, 4, 3, 3, 3, 3]
DEMO_ATTEMPTS = 8


def _bank() -> list[QuestionCategory]:
    categories = []
    for order, (name, rows) in enumerate(BANK.items()):
        category, _created = QuestionCategory.objects.update_or_create(
            name=name, defaults={"description": f"上门服务证培训第 {order + 1} 课"}
        )
        categories.append(category)
        for number, (qtype, stem, texts, answer, explanation) in enumerate(rows):
            choices, correct, problems = xlsx.build_choices(qtype, texts, answer)
            if problems:
                raise ValueError(f"demo question {stem!r}: {problems}")
            Question.objects.update_or_create(
                category=category,
                stem=stem,
                defaults={
                    "type": qtype,
                    "choices": choices,
                    "correct": correct,
                    "explanation": explanation,
                    "difficulty": 1 + number % 3,
                    "is_active": True,
                },
            )
    return categories


def _exam(title: str, course, rules: list[tuple], **fields) -> Exam:
    exam, _created = Exam.objects.update_or_create(
        title=title, defaults={"course": course, **fields}
    )
    keep = []
    for order, (category, count, points) in enumerate(rules):
        rule, _created = DrawRule.objects.update_or_create(
            exam=exam,
            category=category,
            defaults={"count": count, "points": Decimal(points), "sort_order": order},
        )
        keep.append(rule.pk)
    DrawRule.objects.filter(exam=exam).exclude(pk__in=keep).delete()
    return exam


def _sit(exam: Exam, worker, *, right: int, rng: random.Random) -> Attempt | None:
    """Start, answer `right` questions correctly (the rest wrongly) and submit, through the services."""
    try:
        attempt, _created = services.attempt_start(
            exam=exam, worker=worker, user=worker.user, rng=rng
        )
    except services.ExamError:
        return None
    questions = list(attempt.questions.order_by("position"))
    rng.shuffle(questions)
    for seq, question in enumerate(questions, start=1):
        if seq <= right:
            selected = question.correct
        else:
            wrong = [c["key"] for c in question.choices if c["key"] not in question.correct]
            selected = [rng.choice(wrong)] if wrong else []
        services.answer_save(
            attempt=attempt, position=question.position, selected=selected, seq=seq
        )
    return services.attempt_submit(attempt=attempt, user=worker.user)


def seed(ctx) -> None:
    course = ctx.data.get("course")
    categories = _bank()
    ctx.say(f"  题库：{len(categories)} 个分类，{Question.objects.count()} 道试题")
    if course is None:
        ctx.say("  没有课程，跳过考试。")
        return

    exam = _exam(
        EXAM_TITLE,
        course,
        [(c, n, 5) for c, n in zip(categories, MAIN_DRAW, strict=True)],
        time_limit_minutes=30,
        pass_mark=80,
        attempts_allowed=3,
        cooldown_minutes=30,
        shuffle_questions=True,
        shuffle_choices=True,
        multiple_scoring=Exam.MultipleScoring.PARTIAL,
        review=Exam.Review.EXPLANATIONS,
        require_course_completed=True,
        require_filing_approved=True,
        is_active=True,
    )
    demo_exam = _exam(
        DEMO_EXAM_TITLE,
        course,
        [(c, 1, 20) for c in categories[:5]],
        time_limit_minutes=2,
        pass_mark=80,
        attempts_allowed=99,
        cooldown_minutes=0,
        shuffle_questions=True,
        shuffle_choices=True,
        multiple_scoring=Exam.MultipleScoring.ALL_OR_NOTHING,
        review=Exam.Review.EXPLANATIONS,
        require_course_completed=False,
        require_filing_approved=True,
        is_active=True,
    )

    # Workers who completed the course sit the exam once: most pass, some fail.
    rng = random.Random(20260302)
    passed, failed = [], []
    workers = list(ctx.data.get("course_completed_workers", []))[:DEMO_ATTEMPTS]
    for number, worker in enumerate(workers):
        if Attempt.objects.filter(exam=exam, worker=worker).exists():
            attempt = Attempt.objects.filter(exam=exam, worker=worker).order_by("-number").first()
        else:
            attempt = _sit(exam, worker, right=12 if number % 4 == 3 else 18 + number % 3, rng=rng)
        if attempt is None:
            ctx.say(f"  {worker} 不符合参考条件，跳过")
            continue
        (passed if attempt.passed else failed).append(attempt)

    ctx.data["exam"] = exam
    ctx.data["demo_exam"] = demo_exam
    ctx.data["passed_attempts"] = passed
    ctx.say(
        f"  考试：{exam.title}（20 题 30 分钟，80 分及格），{demo_exam.title}；"
        f"成绩：通过 {len(passed)} 人，未通过 {len(failed)} 人"
    )
    demo_worker = worker_for_user(ctx.users.get("worker"))
    if demo_worker is not None:
        ctx.urls.append(
            ("演示考试（2 分钟，可看到计时结束）", f"{settings.SITE_URL}/me/exams/{demo_exam.pk}/")
        )
