"""Factories of the exams app (used by the certificates and dashboards tests too).

exam = ExamFactory()                      # one category, 5 questions drawn × 20 points
attempt = AttemptFactory(exam=exam)       # in progress, snapshot of the drawn questions
passed = PassedAttemptFactory()           # graded, every answer right, passed
failed = FailedAttemptFactory()           # graded, no answer right, failed
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import factory

from exams import grading
from exams.models import (
    Accommodation,
    Answer,
    Attempt,
    AttemptQuestion,
    DrawRule,
    Exam,
    Question,
    QuestionCategory,
)
from tests.courses.factories import CoursePageFactory
from tests.registry.factories import ApprovedWorkerFactory

CHOICES = [
    {"key": "A", "text": "先核对身份，再进门服务"},
    {"key": "B", "text": "直接进门"},
    {"key": "C", "text": "请雇主到楼下接"},
    {"key": "D", "text": "打电话给朋友"},
]


class QuestionCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"题目分类{n}")
    description = "测试用分类"


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question (A is right); traits `multiple` (A and C) and `true_false` (正确)."""

    class Meta:
        model = Question

    class Params:
        multiple = factory.Trait(type=Question.Type.MULTIPLE, correct=["A", "C"])
        true_false = factory.Trait(
            type=Question.Type.TRUE_FALSE, choices=grading.TRUE_FALSE_CHOICES, correct=["T"]
        )

    category = factory.SubFactory(QuestionCategoryFactory)
    type = Question.Type.SINGLE
    stem = factory.Sequence(lambda n: f"第{n}题：上门服务前应当怎样做？")
    choices = factory.LazyFunction(lambda: [dict(c) for c in CHOICES])
    correct = factory.LazyFunction(lambda: ["A"])
    explanation = "先核对身份是上门服务的基本规范。"
    difficulty = Question.Difficulty.MEDIUM
    is_active = True


class ExamFactory(factory.django.DjangoModelFactory):
    """An exam on a new course; by default one category of `questions` questions, 5 drawn × 20.

    `ExamFactory(rules=[(category, count, points), …])` sets the draw rules instead
    (the categories must already hold enough questions).
    """

    class Meta:
        model = Exam
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"上门服务证考核{n}")
    course = factory.SubFactory(CoursePageFactory)
    time_limit_minutes = 30
    pass_mark = 80
    attempts_allowed = 3
    cooldown_minutes = 0
    shuffle_questions = True
    shuffle_choices = True
    review = Exam.Review.EXPLANATIONS
    require_course_completed = False
    require_filing_approved = True

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            category = QuestionCategoryFactory()
            QuestionFactory.create_batch(kwargs.get("questions", 8), category=category)
            extracted = [(category, 5, Decimal(20))]
        for order, (category, count, points) in enumerate(extracted):
            DrawRule.objects.create(
                exam=self, category=category, count=count, points=points, sort_order=order
            )


class DrawRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrawRule

    exam = factory.SubFactory(ExamFactory, rules=[])
    category = factory.SubFactory(QuestionCategoryFactory)
    count = 5
    points = Decimal(20)


class AccommodationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accommodation

    exam = factory.SubFactory(ExamFactory)
    worker = factory.SubFactory(ApprovedWorkerFactory)
    extra_minutes = 10
    extra_attempts = 1
    note = "视力不便，延长时间"


def _snapshot(attempt: Attempt) -> list[AttemptQuestion]:
    """Freeze the first questions of each draw rule, unshuffled (deterministic for tests)."""
    position = 0
    rows = []
    for rule in attempt.exam.draw_rules.order_by("sort_order", "pk"):
        questions = Question.objects.filter(category=rule.category, is_active=True).order_by("pk")
        for question in questions[: rule.count]:
            position += 1
            rows.append(
                AttemptQuestion(
                    attempt=attempt,
                    question=question,
                    position=position,
                    type=question.type,
                    stem=question.stem,
                    choices=question.choices,
                    correct=question.correct,
                    explanation=question.explanation,
                    points=rule.points,
                )
            )
    return AttemptQuestion.objects.bulk_create(rows)


class AttemptFactory(factory.django.DjangoModelFactory):
    """An attempt in progress with its frozen questions; traits `passed` and `failed` grade it.

    Built directly (not through the services), so eligibility is not checked.
    """

    class Meta:
        model = Attempt
        skip_postgeneration_save = True

    class Params:
        passed_grade = factory.Trait(
            status=Attempt.Status.GRADED,
            submitted_at=factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=12)),
            passed=True,
        )
        failed_grade = factory.Trait(
            status=Attempt.Status.GRADED,
            submitted_at=factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=12)),
            passed=False,
        )

    exam = factory.SubFactory(ExamFactory)
    worker = factory.SubFactory(ApprovedWorkerFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = Attempt.Status.IN_PROGRESS
    started_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyAttribute(
        lambda o: o.started_at + timedelta(minutes=o.exam.time_limit_minutes)
    )

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if not create:
            return
        snapshot = _snapshot(self)
        self.max_score = sum((q.points for q in snapshot), Decimal(0))
        if self.status == Attempt.Status.GRADED:
            right = bool(self.passed)
            score = Decimal(0)
            for question in snapshot:
                selected = question.correct if right else []
                points = question.points if right else Decimal(0)
                Answer.objects.create(
                    attempt_question=question,
                    selected=selected,
                    seq=question.position if right else 0,
                    saved_at=self.submitted_at if right else None,
                    score=points,
                    is_correct=right,
                )
                score += points
            self.score = score
        self.save(update_fields=["max_score", "score"])


class PassedAttemptFactory(AttemptFactory):
    """A graded attempt with every answer right: passed (the event a certificate is issued for)."""

    passed_grade = True


class FailedAttemptFactory(AttemptFactory):
    """A graded attempt with no answer right: failed."""

    failed_grade = True
