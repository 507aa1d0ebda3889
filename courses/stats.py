"""Read-only aggregates of courses for the dashboards (owned by the dashboards app).

Each function takes the caller's scoped worker queryset and aggregates in the
database; a course counts as completed when its enrolment has ``completed_at``
(set by ``courses.services`` when the last required lesson is done).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .models import CoursePage, Enrolment, LessonPage, LessonProgress


def learning_conditions(within: QuerySet | None = None) -> dict:
    """``is_enrolled`` and ``has_completed_course`` as conditions on a worker row
    (`within`: the workers asked about, so the database may look only at theirs)."""
    enrolments = Enrolment.objects.filter(worker=OuterRef("pk"))
    if within is not None:
        enrolments = enrolments.filter(worker__in=within.values("pk"))
    return {
        "is_enrolled": Exists(enrolments),
        "has_completed_course": Exists(enrolments.filter(completed_at__isnull=False)),
    }


def learner_figures(within: QuerySet | None = None) -> dict:
    """The training figures of a group of workers, as aggregates over worker rows:
    ``enrolled`` (any enrolment), ``learning`` (an enrolment not finished) and
    ``completed`` (a course finished), each counting workers, not enrolments.

    The one definition of these figures: the agency funnel and the courses panel
    both aggregate these expressions, so the same label never shows two numbers.
    """
    conditions = learning_conditions(within)
    unfinished = Enrolment.objects.filter(worker=OuterRef("pk"), completed_at__isnull=True)
    if within is not None:
        unfinished = unfinished.filter(worker__in=within.values("pk"))
    return {
        "enrolled": Count("pk", filter=Q(conditions["is_enrolled"])),
        "learning": Count("pk", filter=Q(Exists(unfinished))),
        "completed": Count("pk", filter=Q(conditions["has_completed_course"])),
    }


def learner_counts(workers: QuerySet) -> dict[str, int]:
    """Workers enrolled, learning and with a course completed (one query)."""
    return workers.order_by().aggregate(**learner_figures(workers))


def annotate_learning(workers: QuerySet) -> QuerySet:
    """Adds ``is_enrolled`` and ``has_completed_course`` to each worker."""
    return workers.annotate(**learning_conditions())


def enrolments_of(workers: QuerySet) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(worker__in=workers.values("pk"))


def enrolment_counts_by_course(workers: QuerySet, *, since=None, until=None) -> list[dict]:
    """Per course: enrolments and completions (optionally enrolled within [since, until))."""
    qs = enrolments_of(workers)
    if since is not None:
        qs = qs.filter(enrolled_at__gte=since)
    if until is not None:
        qs = qs.filter(enrolled_at__lt=until)
    return list(
        qs.order_by()
        .values("course_id", "course__title")
        .annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
        )
        .order_by("course__title")
    )


def enrolment_totals(workers: QuerySet, *, since=None, until=None) -> dict[str, int]:
    """Enrolments made and courses completed, optionally within [since, until)."""
    qs = enrolments_of(workers)
    enrolled = Q()
    completed = Q(completed_at__isnull=False)
    if since is not None:
        enrolled &= Q(enrolled_at__gte=since)
        completed &= Q(completed_at__gte=since)
    if until is not None:
        enrolled &= Q(enrolled_at__lt=until)
        completed &= Q(completed_at__lt=until)
    return qs.aggregate(
        enrolled=Count("pk", filter=enrolled), completed=Count("pk", filter=completed)
    )


def enrolment_progress(worker_ids: list[int]) -> dict[int, list[dict]]:
    """Each worker's enrolments with required lessons done / required (3 queries in all).

    Returns ``{worker_id: [{"course": title, "course_id", "done", "required",
    "completed": bool, "percent"}]}``.
    """
    enrolments = list(
        Enrolment.objects.filter(worker_id__in=worker_ids)
        .select_related("course")
        .only("id", "worker_id", "completed_at", "course__id", "course__title", "course__path")
        .annotate(
            done=Count(
                "progress",
                filter=Q(
                    progress__completed_at__isnull=False,
                    progress__lesson__is_required=True,
                    progress__lesson__live=True,
                ),
            )
        )
        .order_by("worker_id", "course__path")
    )
    required = required_lesson_counts({e.course for e in enrolments})
    result: dict[int, list[dict]] = {}
    for e in enrolments:
        total = required.get(e.course_id, 0)
        complete = e.completed_at is not None or (total > 0 and e.done >= total)
        percent = 100 if complete else (e.done * 100 // total if total else 0)
        result.setdefault(e.worker_id, []).append(
            {
                "course_id": e.course_id,
                "course": e.course.title,
                "done": e.done,
                "required": total,
                "completed": complete,
                "percent": percent,
            }
        )
    return result


def required_lesson_counts(courses) -> dict[int, int]:
    """Live required lessons per course, in one query."""
    courses = [c for c in courses if c is not None]
    if not courses:
        return {}
    by_path = {c.path: c.pk for c in courses}
    condition = reduce(or_, (Q(path__startswith=path) for path in by_path))
    counts: dict[int, int] = {}
    steplen = LessonPage.steplen
    for path in (
        LessonPage.objects.live().filter(condition, is_required=True).values_list("path", flat=True)
    ):
        course_id = by_path.get(path[:-steplen])
        if course_id is not None:
            counts[course_id] = counts.get(course_id, 0) + 1
    return counts


def courses_for_choice() -> QuerySet[CoursePage]:
    """Published courses, in the editors' order (for filters and bulk enrolment)."""
    return CoursePage.objects.live().order_by("path")


def lesson_completions_of(worker) -> QuerySet[LessonProgress]:
    return (
        LessonProgress.objects.filter(enrolment__worker=worker, completed_at__isnull=False)
        .select_related("lesson", "enrolment__course")
        .order_by("-completed_at")
    )


def enrolments_of_worker(worker) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(worker=worker).select_related("course", "enrolled_by")


def workers_with_unfinished_lessons(workers: QuerySet) -> QuerySet:
    """Workers with an enrolment not yet completed."""
    return workers.filter(
        Exists(Enrolment.objects.filter(worker=OuterRef("pk"), completed_at__isnull=True))
    )


def enrolment_totals_by(workers: QuerySet, field: str, *, since=None, until=None) -> list[dict]:
    """Enrolments made and courses completed per value of `field` (e.g.
    ``worker__agency__district``), optionally within [since, until)."""
    enrolled = Q()
    completed = Q(completed_at__isnull=False)
    if since is not None:
        enrolled &= Q(enrolled_at__gte=since)
        completed &= Q(completed_at__gte=since)
    if until is not None:
        enrolled &= Q(enrolled_at__lt=until)
        completed &= Q(completed_at__lt=until)
    return list(
        enrolments_of(workers)
        .order_by()
        .values(field)
        .annotate(enrolled=Count("pk", filter=enrolled), completed=Count("pk", filter=completed))
        .order_by(field)
    )
