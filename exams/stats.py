"""Read-only aggregates of exams for the dashboards (owned by the dashboards app).

Pure query functions over the caller's scoped worker queryset; aggregation
happens in the database.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from .models import Accommodation, Answer, Attempt, Exam

FINISHED = [Attempt.Status.SUBMITTED, Attempt.Status.GRADED]


def annotate_exam_state(workers: QuerySet) -> QuerySet:
    """Adds the last finished attempt (exam, score, passed, when) and attempts used and
    allowed at that exam; all as subqueries (one query). ``annotate_passed`` adds
    ``has_passed_exam``."""
    last = Attempt.objects.filter(worker=OuterRef("pk"), status__in=FINISHED).order_by(
        "-submitted_at", "-pk"
    )
    used = (
        Attempt.objects.filter(worker=OuterRef("pk"), exam_id=OuterRef("last_exam_id"))
        .order_by()
        .values("worker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    extra = Accommodation.objects.filter(
        worker=OuterRef("pk"), exam_id=OuterRef("last_exam_id")
    ).values("extra_attempts")[:1]
    allowed = Exam.objects.filter(pk=OuterRef("last_exam_id")).values("attempts_allowed")[:1]
    return workers.annotate(
        last_exam_id=Subquery(last.values("exam_id")[:1]),
        last_exam_title=Subquery(last.values("exam__title")[:1]),
        last_exam_score=Subquery(last.values("score")[:1]),
        last_exam_max=Subquery(last.values("max_score")[:1]),
        last_exam_passed=Subquery(last.values("passed")[:1]),
        last_exam_at=Subquery(last.values("submitted_at")[:1]),
    ).annotate(
        attempts_used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)),
        attempts_allowed=Coalesce(Subquery(allowed, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(extra, output_field=IntegerField()), Value(0)),
    )


def attempts_of(workers: QuerySet) -> QuerySet[Attempt]:
    return Attempt.objects.filter(worker__in=workers.values("pk"))


def _attempt_aggregates() -> dict:
    # Aliased (n_*) so no annotation shadows the model's own ``passed`` field.
    graded = Q(status=Attempt.Status.GRADED)
    return {
        "n_attempts": Count("pk", filter=graded),
        "n_passed": Count("pk", filter=graded & Q(passed=True)),
        "n_first_attempts": Count("pk", filter=graded & Q(number=1)),
        "n_first_passed": Count("pk", filter=graded & Q(number=1, passed=True)),
    }


def _unalias(row: dict) -> dict:
    return {(k[2:] if k.startswith("n_") else k): v for k, v in row.items()}


def attempt_counts(workers: QuerySet, *, since=None, until=None) -> dict[str, int]:
    """Graded attempts, passes, first attempts and first-attempt passes (by submit time)."""
    qs = attempts_of(workers)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    return _unalias(qs.aggregate(**_attempt_aggregates()))


def attempt_counts_by(workers: QuerySet, fields: list[str], *, since=None, until=None) -> list:
    """The same counts grouped by `fields` (e.g. ``["exam_id", "exam__title"]``)."""
    qs = attempts_of(workers)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    rows = qs.order_by().values(*fields).annotate(**_attempt_aggregates()).order_by(*fields)
    return [_unalias(row) for row in rows]


def latest_results(workers: QuerySet, *, limit: int = 10) -> list[Attempt]:
    """The most recently graded attempts of these workers."""
    return list(
        attempts_of(workers)
        .filter(status=Attempt.Status.GRADED)
        .select_related("exam", "worker")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def attempts_of_worker(worker) -> QuerySet[Attempt]:
    return Attempt.objects.filter(worker=worker).select_related("exam").order_by("-started_at")


def windows_closing(workers: QuerySet, *, within_days: int = 14, now=None) -> QuerySet:
    """Exam chances about to be lost: active exams closing within `within_days`, for
    workers enrolled in the exam's course, not yet passed, with attempts left.

    Returns Exam rows annotated per worker (``worker_id``, ``used``, ``allowed``).
    """
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=within_days)
    used = (
        Attempt.objects.filter(worker=OuterRef("worker_id"), exam=OuterRef("pk"))
        .order_by()
        .values("worker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    extra = Accommodation.objects.filter(worker=OuterRef("worker_id"), exam=OuterRef("pk")).values(
        "extra_attempts"
    )[:1]
    passed = Attempt.objects.filter(worker=OuterRef("worker_id"), exam=OuterRef("pk"), passed=True)
    return (
        Exam.objects.filter(
            is_active=True,
            available_until__gt=now,
            available_until__lte=soon,
            course__enrolments__worker__in=workers.values("pk"),
        )
        .annotate(
            worker_id=F("course__enrolments__worker_id"),
            worker_name=F("course__enrolments__worker__name"),
        )
        .annotate(
            used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)),
            allowed=F("attempts_allowed")
            + Coalesce(Subquery(extra, output_field=IntegerField()), Value(0)),
            passed=Exists(passed),
        )
        .filter(passed=False, used__lt=F("allowed"))
        .order_by("available_until", "worker_id")
    )


def attempt_bursts_by_address(*, since, min_workers: int) -> list[dict]:
    """(client address, hour) pairs where at least `min_workers` workers started attempts."""
    return list(
        Attempt.objects.filter(started_at__gte=since, client_ip__isnull=False)
        .annotate(hour=TruncHour("started_at"))
        .order_by()
        .values("client_ip", "hour")
        .annotate(workers=Count("worker", distinct=True), attempts=Count("pk"))
        .filter(workers__gte=min_workers)
        .order_by("hour", "client_ip")
    )


def attempt_workers_at(*, client_ip: str, since, until) -> QuerySet[Attempt]:
    return Attempt.objects.filter(
        client_ip=client_ip, started_at__gte=since, started_at__lt=until
    ).select_related("worker__agency")


def graded_answer_rows(*, since, min_wrong: int):
    """Answers of attempts graded since `since` with at least `min_wrong` wrong answers:
    ``(attempt_id, worker_id, exam_id, question_id, selected, is_correct)`` ordered by
    attempt and question, for the identical-answers check."""
    suspicious = (
        Attempt.objects.filter(status=Attempt.Status.GRADED, submitted_at__gte=since)
        .annotate(
            wrong=Count("questions", filter=Q(questions__answer__is_correct=False)),
        )
        .filter(wrong__gte=min_wrong)
        .values("pk")
    )
    return (
        Answer.objects.filter(attempt_question__attempt__in=suspicious)
        .order_by("attempt_question__attempt_id", "attempt_question__question_id")
        .values_list(
            "attempt_question__attempt_id",
            "attempt_question__attempt__worker_id",
            "attempt_question__attempt__exam_id",
            "attempt_question__question_id",
            "selected",
            "is_correct",
        )
    )


def passed_condition(within: QuerySet | None = None) -> Exists:
    """Whether the worker row has any passed attempt (`within`: as in
    ``courses.stats.learning_conditions``)."""
    attempts = Attempt.objects.filter(worker=OuterRef("pk"), passed=True)
    if within is not None:
        attempts = attempts.filter(worker__in=within.values("pk"))
    return Exists(attempts)


def annotate_passed(workers: QuerySet) -> QuerySet:
    """Adds ``has_passed_exam``: any passed attempt."""
    return workers.annotate(has_passed_exam=passed_condition())
