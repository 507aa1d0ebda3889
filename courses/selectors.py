"""Reads of the courses app: progress, enrolments, what a page shows.

Progress of a course = completed required lessons / required lessons, where
"lessons" are the course's live ``LessonPage`` children. An enrolment whose
``completed_at`` is set stays complete even if editors later add lessons: a
worker who earned exam eligibility keeps it.

Other apps (exams, dashboards) call :func:`course_completed`,
:func:`course_progress` and :func:`enrolments_for_worker`; the dashboards and the
agency panels read the figures over many workers at the end (``learner_figures``,
``enrolment_totals_by``, ...), each over a worker queryset the caller has scoped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from wagtail.models import Page

from lms.search import segment
from registry.models import Worker
from registry.selectors.access import worker_for_user

from .models import CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress


@dataclass(frozen=True)
class CourseProgress:
    """How far a worker is through a course."""

    completed: int  # completed required lessons
    required: int  # required (live) lessons
    is_enrolled: bool = True
    completed_at: object = None  # the enrolment's completion time, if any

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None or (
            self.required > 0 and self.completed >= self.required
        )

    @property
    def ratio(self) -> float:
        if self.is_complete:
            return 1.0
        return self.completed / self.required if self.required else 0.0

    @property
    def percent(self) -> int:
        """Whole percent, rounded down (so 100 means really all done)."""
        return 100 if self.is_complete else int(self.ratio * 100)


NOT_ENROLLED = CourseProgress(completed=0, required=0, is_enrolled=False)


@dataclass
class LessonItem:
    """A lesson as listed in a course outline, with the worker's state."""

    lesson: LessonPage
    number: int
    is_completed: bool = False
    is_current: bool = False


@dataclass
class LearningItem:
    """One row of "my learning": an enrolment with its progress and where to continue."""

    enrolment: Enrolment
    progress: CourseProgress
    continue_lesson: LessonPage | None = None

    @property
    def course(self) -> CoursePage:
        return self.enrolment.course


# --- who and what -----------------------------------------------------------------


def worker_of_request(request) -> Worker | None:
    """The worker behind the request's login, or None (anonymous, staff, not filed)."""
    return worker_for_user(getattr(request, "user", None))


def courses_live(*, parent: Page | None = None) -> QuerySet[CoursePage]:
    """Published courses, in the editors' order (under `parent` when given)."""
    qs = CoursePage.objects.live().public()
    if parent is not None:
        qs = qs.child_of(parent)
    return qs.select_related("cover_image", "service_category").order_by("path")


def course_index_page() -> CourseIndexPage | None:
    """The first published course index page (for links from "my learning")."""
    return CourseIndexPage.objects.live().order_by("path").first()


def lessons_of(course: CoursePage) -> QuerySet[LessonPage]:
    """The course's published lessons, in the editors' order."""
    return LessonPage.objects.live().child_of(course).order_by("path")


def _lessons_by_course(courses: list[CoursePage]) -> dict[int, list[LessonPage]]:
    """Live lessons of several courses in one query, keyed by course id, in order."""
    courses = [c for c in courses if c is not None]
    if not courses:
        return {}
    by_path = {c.path: c.pk for c in courses}
    depths = {c.depth + 1 for c in courses}
    condition = reduce(or_, (Q(path__startswith=path) for path in by_path))
    lessons = (
        LessonPage.objects.live()
        .filter(condition, depth__in=depths)
        .only("id", "title", "slug", "path", "depth", "url_path", "is_required", "intro")
        .order_by("path")
    )
    result: dict[int, list[LessonPage]] = defaultdict(list)
    steplen = LessonPage.steplen
    for lesson in lessons:
        course_id = by_path.get(lesson.path[:-steplen])
        if course_id is not None:
            result[course_id].append(lesson)
    return result


def _progress(
    lessons: list[LessonPage], completed_ids: set[int], enrolment: Enrolment | None
) -> CourseProgress:
    if enrolment is None:
        return NOT_ENROLLED
    required = [lesson.pk for lesson in lessons if lesson.is_required]
    return CourseProgress(
        completed=sum(1 for pk in required if pk in completed_ids),
        required=len(required),
        completed_at=enrolment.completed_at,
    )


def _continue_lesson(
    lessons: list[LessonPage], completed_ids: set[int], last_lesson_id: int | None
) -> LessonPage | None:
    """Where to pick up: the last lesson opened if unfinished, else the next unfinished one."""
    if not lessons:
        return None
    index = next((i for i, les in enumerate(lessons) if les.pk == last_lesson_id), None)
    if index is not None and lessons[index].pk not in completed_ids:
        return lessons[index]
    start = 0 if index is None else index + 1
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.pk not in completed_ids:
            return lesson
    return None


def _completed_lesson_ids(enrolment_ids: list[int]) -> dict[int, set[int]]:
    rows = LessonProgress.objects.filter(
        enrolment_id__in=enrolment_ids, completed_at__isnull=False
    ).values_list("enrolment_id", "lesson_id")
    result: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, lesson_id in rows:
        result[enrolment_id].add(lesson_id)
    return result


# --- the contract other apps read -------------------------------------------------------


def enrolment_for(*, worker: Worker, course: CoursePage) -> Enrolment | None:
    """The worker's enrolment in `course`, or None; callers scope `worker`."""
    return Enrolment.objects.filter(worker=worker, course=course).first()


def enrolment_for_lesson(*, worker: Worker, lesson: LessonPage) -> Enrolment | None:
    """The worker's enrolment in the course this lesson belongs to, or None."""
    parent_path = lesson.path[: -lesson.steplen]
    return (
        Enrolment.objects.select_related("course")
        .filter(worker=worker, course__path=parent_path)
        .first()
    )


def course_progress(*, worker: Worker, course: CoursePage) -> CourseProgress:
    """Completed required lessons / required lessons of `worker` in `course`."""
    enrolment = enrolment_for(worker=worker, course=course)
    if enrolment is None:
        return NOT_ENROLLED
    lessons = list(lessons_of(course).only("id", "is_required", "path", "depth"))
    completed = _completed_lesson_ids([enrolment.pk]).get(enrolment.pk, set())
    return _progress(lessons, completed, enrolment)


def course_completed(*, worker: Worker, course: CoursePage) -> bool:
    """Whether `worker` has completed every required lesson of `course` (exam eligibility)."""
    if Enrolment.objects.filter(worker=worker, course=course, completed_at__isnull=False).exists():
        return True
    return course_progress(worker=worker, course=course).is_complete


def enrolments_for_worker(worker: Worker) -> QuerySet[Enrolment]:
    """The worker's enrolments, most recently studied first, with course and last lesson."""
    return (
        Enrolment.objects.filter(worker=worker)
        .select_related("course", "course__cover_image", "last_lesson")
        .order_by(F("last_activity_at").desc(nulls_last=True), "-enrolled_at", "-pk")
    )


def missing_prerequisites(*, worker: Worker | None, course: CoursePage) -> list[CoursePage]:
    """Prerequisite courses of `course` that `worker` has not completed, in tree order."""
    prerequisites = list(course.prerequisites.all().order_by("path"))
    if not prerequisites:
        return []
    if worker is None:
        return prerequisites
    done = {p.pk for p in prerequisites if course_completed(worker=worker, course=p)}
    return [p for p in prerequisites if p.pk not in done]


# --- what the pages show ----------------------------------------------------------------


def learning_overview(*, worker: Worker) -> list[LearningItem]:
    """Every enrolment of `worker` with progress and a "continue" lesson.

    A fixed number of queries whatever the number of enrolments: enrolments,
    lessons of all their courses, completed progress rows.
    """
    enrolments = list(enrolments_for_worker(worker))
    lessons = _lessons_by_course([e.course for e in enrolments])
    completed = _completed_lesson_ids([e.pk for e in enrolments])
    items = []
    for enrolment in enrolments:
        course_lessons = lessons.get(enrolment.course_id, [])
        done = completed.get(enrolment.pk, set())
        items.append(
            LearningItem(
                enrolment=enrolment,
                progress=_progress(course_lessons, done, enrolment),
                continue_lesson=_continue_lesson(course_lessons, done, enrolment.last_lesson_id),
            )
        )
    return items


def course_cards(*, courses, worker: Worker | None) -> list[dict]:
    """Courses for a listing, each with the worker's progress (when signed in as a worker)."""
    courses = list(courses)
    if worker is None:
        return [{"course": c, "progress": NOT_ENROLLED} for c in courses]
    enrolments = {
        e.course_id: e for e in Enrolment.objects.filter(worker=worker, course__in=courses)
    }
    lessons = _lessons_by_course([c for c in courses if c.pk in enrolments])
    completed = _completed_lesson_ids([e.pk for e in enrolments.values()])
    cards = []
    for course in courses:
        enrolment = enrolments.get(course.pk)
        done = completed.get(enrolment.pk, set()) if enrolment else set()
        cards.append(
            {"course": course, "progress": _progress(lessons.get(course.pk, []), done, enrolment)}
        )
    return cards


def course_page_context(*, course: CoursePage, worker: Worker | None) -> dict:
    """The course outline with the worker's state, progress, and what stands before enrolling."""
    lessons = list(lessons_of(course))
    enrolment = enrolment_for(worker=worker, course=course) if worker else None
    done = _completed_lesson_ids([enrolment.pk]).get(enrolment.pk, set()) if enrolment else set()
    continue_lesson = (
        _continue_lesson(lessons, done, enrolment.last_lesson_id) if enrolment else None
    )
    items = [
        LessonItem(
            lesson=lesson,
            number=number,
            is_completed=lesson.pk in done,
            is_current=continue_lesson is not None and lesson.pk == continue_lesson.pk,
        )
        for number, lesson in enumerate(lessons, start=1)
    ]
    return {
        "lesson_items": items,
        "enrolment": enrolment,
        "progress": _progress(lessons, done, enrolment),
        "continue_lesson": continue_lesson,
        "first_lesson": lessons[0] if lessons else None,
        "missing_prerequisites": []
        if enrolment
        else missing_prerequisites(worker=worker, course=course),
        "required_count": sum(1 for lesson in lessons if lesson.is_required),
    }


def lesson_page_context(
    *,
    lesson: LessonPage,
    course: CoursePage,
    enrolment: Enrolment | None,
    progress: LessonProgress | None,
) -> dict:
    """Previous/next lessons, the course progress and this lesson's state for a worker."""
    from .services import video_seconds_required

    lessons = list(
        lessons_of(course).only("id", "title", "path", "depth", "url_path", "is_required")
    )
    index = next((i for i, les in enumerate(lessons) if les.pk == lesson.pk), None)
    previous_lesson = lessons[index - 1] if index else None
    next_lesson = lessons[index + 1] if index is not None and index + 1 < len(lessons) else None
    done = _completed_lesson_ids([enrolment.pk]).get(enrolment.pk, set()) if enrolment else set()
    needed = video_seconds_required(lesson)
    watched = progress.video_seconds_watched if progress else 0
    return {
        "course": course,
        "lesson_number": (index or 0) + 1,
        "lesson_total": len(lessons),
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "enrolment": enrolment,
        "lesson_progress": progress,
        "lesson_completed": bool(progress and progress.completed_at),
        "course_progress": _progress(lessons, done, enrolment),
        "video_seconds_required": needed,
        "video_watched_enough": watched >= needed,
    }


def enrolment_states(*, course: CoursePage, worker_ids: list[int]) -> dict[int, CourseProgress]:
    """Progress in `course` of each of the given workers (enrolled ones only), in 3 queries."""
    enrolments = list(Enrolment.objects.filter(course=course, worker_id__in=worker_ids))
    if not enrolments:
        return {}
    lessons = list(lessons_of(course).only("id", "is_required", "path", "depth"))
    completed = _completed_lesson_ids([e.pk for e in enrolments])
    return {e.worker_id: _progress(lessons, completed.get(e.pk, set()), e) for e in enrolments}


def course_search(query: str) -> QuerySet:
    """Published courses and lessons matching `query` (segmented into Chinese words)."""
    words = segment(query)
    if not words:
        return Page.objects.none()
    return (
        Page.objects.live()
        .public()
        .type(CoursePage, LessonPage)
        .specific()
        .search(words, operator="or")
    )


# --- figures over many workers (the dashboards and the agency panels) ---------------------


def learning_conditions(within: QuerySet | None = None) -> dict:
    """``is_enrolled`` and ``has_completed_course`` as conditions on a worker row (`within`:
    the workers asked about, already scoped by the caller, so the database looks only at theirs)."""
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
    """Workers of `workers` (already scoped by the caller) enrolled, learning and with a course
    completed (one query)."""
    return workers.order_by().aggregate(**learner_figures(workers))


def _enrolments_of(workers: QuerySet) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(worker__in=workers.values("pk"))


def enrolment_counts_by_course(workers: QuerySet) -> list[dict]:
    """Per course: enrolments and completions of `workers` (already scoped by the caller)."""
    return list(
        _enrolments_of(workers)
        .order_by()
        .values("course_id", "course__title")
        .annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
        )
        .order_by("course__title")
    )


def enrolment_progress(worker_ids: list[int]) -> dict[int, list[dict]]:
    """Each worker's enrolments with required lessons done / required (3 queries in all);
    callers pass ids of workers they may see.

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
    required = _required_lesson_counts({e.course for e in enrolments})
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


def _required_lesson_counts(courses) -> dict[int, int]:
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
    """Published courses (private ones too), in the editors' order, for staff filters and bulk
    enrolment."""
    return CoursePage.objects.live().order_by("path")


def lesson_completions_of(worker) -> QuerySet[LessonProgress]:
    """The worker's completed lessons, newest first; callers scope `worker`."""
    return (
        LessonProgress.objects.filter(enrolment__worker=worker, completed_at__isnull=False)
        .select_related("lesson", "enrolment__course")
        .order_by("-completed_at")
    )


def workers_with_unfinished_lessons(workers: QuerySet) -> QuerySet:
    """Workers of `workers` (already scoped by the caller) with an enrolment not yet completed."""
    return workers.filter(
        Exists(Enrolment.objects.filter(worker=OuterRef("pk"), completed_at__isnull=True))
    )


def enrolment_totals_by(workers: QuerySet, field: str, *, since=None, until=None) -> list[dict]:
    """Enrolments made and courses completed by `workers` (already scoped by the caller) per
    value of `field` (e.g. ``worker__agency__district``), optionally within [since, until)."""
    enrolled = Q()
    completed = Q(completed_at__isnull=False)
    if since is not None:
        enrolled &= Q(enrolled_at__gte=since)
        completed &= Q(completed_at__gte=since)
    if until is not None:
        enrolled &= Q(enrolled_at__lt=until)
        completed &= Q(completed_at__lt=until)
    return list(
        _enrolments_of(workers)
        .order_by()
        .values(field)
        .annotate(enrolled=Count("pk", filter=enrolled), completed=Count("pk", filter=completed))
        .order_by(field)
    )
