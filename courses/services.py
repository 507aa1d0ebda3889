"""Writes of the courses app: enrolment, lesson visits, progress reports and completion.

Every function is keyword-only and atomic. Enrolments and completions are
audited (they are part of a worker's training record); visits and progress
reports are not (they only move counters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import Worker

from . import selectors
from .models import CoursePage, Enrolment, LessonPage, LessonProgress

#: Share of a lesson's video that must have been played before it can be completed.
VIDEO_WATCH_RATIO = getattr(settings, "COURSES_VIDEO_WATCH_RATIO", 0.9)
#: The longest gap between two signs of life that still counts as study time (seconds).
MAX_ACTIVITY_GAP = getattr(settings, "COURSES_MAX_ACTIVITY_GAP", 10 * 60)
#: How much faster than real time a video may be played (phones offer 2×).
MAX_PLAYBACK_RATE = 2.0
#: Allowance for clock jitter between two reports (seconds).
REPORT_SLACK = 5


class EnrolmentRefused(ValidationError):
    """Enrolment is not possible (unpublished course, prerequisites not completed)."""


class ProgressRefused(ValidationError):
    """A lesson cannot be completed yet (most of its video not watched)."""


@dataclass
class BulkEnrolmentResult:
    """What a bulk enrolment did: enrolments made, ones that existed, workers refused with the reason."""

    created: list[Enrolment] = field(default_factory=list)
    existing: list[Enrolment] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # worker id -> reason


# --- enrolment --------------------------------------------------------------------


def _check_can_enrol(*, worker: Worker, course: CoursePage) -> None:
    if not course.live:
        raise EnrolmentRefused(_("这门课程尚未发布，暂时不能报名。"), code="not_live")
    missing = selectors.missing_prerequisites(worker=worker, course=course)
    if missing:
        names = "、".join(f"《{c.title}》" for c in missing)
        raise EnrolmentRefused(
            _("请先学完%(courses)s，再报名《%(course)s》。"),
            code="prerequisites",
            params={"courses": names, "course": course.title},
        )


@transaction.atomic
def enrolment_create(*, worker: Worker, course: CoursePage, acting_user=None) -> Enrolment:
    """Enrol `worker` in `course`; enrolling again returns the existing enrolment.

    Raises :class:`EnrolmentRefused` for an unpublished course or when a
    prerequisite course is not completed (the message names it).
    """
    existing = Enrolment.objects.filter(worker=worker, course=course).first()
    if existing is not None:
        return existing
    _check_can_enrol(worker=worker, course=course)
    return _enrolment_insert(worker=worker, course=course, acting_user=acting_user)


def _enrolment_insert(*, worker: Worker, course: CoursePage, acting_user) -> Enrolment:
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                worker=worker, course=course, enrolled_by=_user_or_none(acting_user)
            )
    except IntegrityError:
        # A concurrent request enrolled the same worker first.
        return Enrolment.objects.get(worker=worker, course=course)
    audit(
        enrolment,
        "courses.enrolment_create",
        user=acting_user,
        data={"worker": worker.pk, "course": course.pk, "course_title": course.title},
    )
    return enrolment


@transaction.atomic
def enrolments_bulk_create(*, workers, course: CoursePage, acting_user) -> BulkEnrolmentResult:
    """Enrol many workers at once (agency staff); already enrolled ones are left as they are.

    The caller passes only workers the acting user may see (the admin view
    takes them from ``registry.selectors.access.workers_visible_to``). Workers whose
    prerequisites are missing are reported in ``refused``, not enrolled.
    """
    result = BulkEnrolmentResult()
    if not course.live:
        raise EnrolmentRefused(_("这门课程尚未发布，暂时不能报名。"), code="not_live")
    workers = list(workers)
    existing = {
        e.worker_id: e
        for e in Enrolment.objects.filter(course=course, worker__in=[w.pk for w in workers])
    }
    prerequisites = list(course.prerequisites.all().order_by("path"))
    done_by_worker: dict[int, set[int]] = {}
    if prerequisites:
        for worker_id, course_id in Enrolment.objects.filter(
            worker__in=[w.pk for w in workers],
            course__in=prerequisites,
            completed_at__isnull=False,
        ).values_list("worker_id", "course_id"):
            done_by_worker.setdefault(worker_id, set()).add(course_id)
    for worker in workers:
        if worker.pk in existing:
            result.existing.append(existing[worker.pk])
            continue
        missing = [p for p in prerequisites if p.pk not in done_by_worker.get(worker.pk, set())]
        if missing:
            names = "、".join(f"《{c.title}》" for c in missing)
            result.refused[worker.pk] = _("须先学完%(courses)s") % {"courses": names}
            continue
        result.created.append(
            _enrolment_insert(worker=worker, course=course, acting_user=acting_user)
        )
    if result.created:
        audit(
            course,
            "courses.enrolment_bulk_create",
            user=acting_user,
            data={"workers": [e.worker_id for e in result.created], "count": len(result.created)},
        )
    return result


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- progress -----------------------------------------------------------------------


def video_seconds_required(lesson: LessonPage) -> int:
    """Seconds of the lesson's video that must be played before it can be completed (0: none)."""
    if not lesson.needs_video_watched:
        return 0
    return math.ceil(lesson.video_duration * VIDEO_WATCH_RATIO)


def merge_ranges(ranges, *, limit: float | None = None) -> list[list[float]]:
    """Sorted, non-overlapping ``[start, end]`` ranges covering `ranges`, clipped to [0, limit]."""
    cleaned = []
    for item in ranges or []:
        try:
            start, end = float(item[0]), float(item[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not (math.isfinite(start) and math.isfinite(end)):
            continue
        start = max(start, 0.0)
        if limit is not None:
            end = min(end, float(limit))
        if end > start:
            cleaned.append([start, end])
    cleaned.sort()
    merged: list[list[float]] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(s, 1), round(e, 1)] for s, e in merged]


def ranges_length(ranges) -> float:
    """Seconds covered by merged [start, end] video ranges (a pure helper, no database)."""
    return sum(end - start for start, end in ranges)


def _clip_to_budget(old: list, new: list, budget: float) -> list:
    """`new` (a superset of `old`), trimmed so that it adds at most `budget` seconds to `old`."""
    gained = ranges_length(new) - ranges_length(old)
    if gained <= budget:
        return new
    # Keep the old coverage and add new seconds from the start until the budget is spent.
    result = [list(r) for r in old]
    remaining = budget
    for start, end in new:
        if remaining <= 0:
            break
        cursor = start
        for old_start, old_end in old:
            if old_end <= cursor or old_start >= end:
                continue
            if old_start > cursor:
                take = min(old_start - cursor, remaining)
                result.append([cursor, cursor + take])
                remaining -= take
            cursor = max(cursor, old_end)
            if remaining <= 0:
                break
        if remaining > 0 and cursor < end:
            take = min(end - cursor, remaining)
            result.append([cursor, cursor + take])
            remaining -= take
    return merge_ranges(result)


def _progress_row(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """The (locked) progress row of this enrolment and lesson, created on first use."""
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        enrolment=enrolment, lesson=lesson
    )
    return progress


def _accrue_time(progress: LessonProgress, now: datetime) -> None:
    """Add the time since the last sign of life, if the gap is short enough to be study."""
    if progress.last_seen_at is not None:
        gap = (now - progress.last_seen_at).total_seconds()
        if 0 < gap <= MAX_ACTIVITY_GAP:
            progress.time_spent_seconds += int(gap)
    progress.last_seen_at = now


def _check_lesson_in_course(enrolment: Enrolment, lesson: LessonPage) -> None:
    if lesson.path[: -lesson.steplen] != enrolment.course.path or not lesson.live:
        raise ValidationError(_("这节课不属于您报名的课程。"), code="wrong_course")


@transaction.atomic
def lesson_visit(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """Record that the worker opened `lesson`: starts its progress, remembers it for "continue".

    Opening a page starts a new stretch of study; the time before it is not counted.
    """
    _check_lesson_in_course(enrolment, lesson)
    now = timezone.now()
    progress = _progress_row(enrolment=enrolment, lesson=lesson)
    progress.last_seen_at = now
    progress.save(update_fields=["last_seen_at"])
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_activity_at=now)
    enrolment.last_lesson, enrolment.last_activity_at = lesson, now
    return progress


@transaction.atomic
def lesson_progress_report(
    *, enrolment: Enrolment, lesson: LessonPage, video_ranges=None
) -> LessonProgress:
    """A sign of life from the lesson page, with the video ranges the browser has played.

    The server believes no more new video than the wall-clock time since the
    last report allows (at up to 2× speed), and never more than the video's length.
    """
    _check_lesson_in_course(enrolment, lesson)
    now = timezone.now()
    progress = _progress_row(enrolment=enrolment, lesson=lesson)
    previous_seen = progress.last_seen_at
    _accrue_time(progress, now)
    fields = ["last_seen_at", "time_spent_seconds"]
    if video_ranges and lesson.video_duration:
        old = merge_ranges(progress.video_ranges, limit=lesson.video_duration)
        new = merge_ranges(old + list(video_ranges), limit=lesson.video_duration)
        if previous_seen is None:
            budget = REPORT_SLACK
        else:
            elapsed = max((now - previous_seen).total_seconds(), 0)
            budget = elapsed * MAX_PLAYBACK_RATE + REPORT_SLACK
        progress.video_ranges = _clip_to_budget(old, new, budget)
        progress.video_seconds_watched = int(ranges_length(progress.video_ranges))
        fields += ["video_ranges", "video_seconds_watched"]
    progress.save(update_fields=fields)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=now)
    return progress


@transaction.atomic
def lesson_complete(
    *, enrolment: Enrolment, lesson: LessonPage, acting_user=None
) -> LessonProgress:
    """Mark `lesson` done for the enrolled worker; completes the course with its last required lesson.

    Idempotent: completing a completed lesson changes nothing. Raises
    :class:`ProgressRefused` while too little of the lesson's video was played.
    """
    _check_lesson_in_course(enrolment, lesson)
    now = timezone.now()
    progress = _progress_row(enrolment=enrolment, lesson=lesson)
    if progress.completed_at is not None:
        return progress
    needed = video_seconds_required(lesson)
    if progress.video_seconds_watched < needed:
        raise ProgressRefused(
            _("请先看完视频（已看 %(watched)s 秒，至少需要 %(needed)s 秒）。"),
            code="video_not_watched",
            params={"watched": progress.video_seconds_watched, "needed": needed},
        )
    _accrue_time(progress, now)
    progress.completed_at = now
    progress.save(update_fields=["completed_at", "last_seen_at", "time_spent_seconds"])
    audit(
        progress,
        "courses.lesson_complete",
        user=acting_user,
        data={
            "worker": enrolment.worker_id,
            "lesson": lesson.pk,
            "lesson_title": lesson.title,
            "time_spent_seconds": progress.time_spent_seconds,
        },
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_activity_at=now)
    enrolment.last_lesson, enrolment.last_activity_at = lesson, now
    _complete_course_if_done(enrolment=enrolment, acting_user=acting_user, now=now)
    return progress


def _complete_course_if_done(*, enrolment: Enrolment, acting_user, now: datetime) -> None:
    locked = Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    if locked.completed_at is not None:
        return
    progress = selectors.course_progress(worker=locked.worker, course=locked.course)
    if progress.required and progress.completed >= progress.required:
        locked.completed_at = enrolment.completed_at = now
        locked.save(update_fields=["completed_at"])
        audit(
            locked,
            "courses.course_complete",
            user=acting_user,
            data={"worker": locked.worker_id, "course": locked.course_id},
        )
