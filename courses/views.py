"""Worker-facing views: "my learning", enrolling, marking a lesson done, progress reports.

Thin: the worker comes from ``registry.selectors.access.worker_for_user`` (404 when
the login has none), an enrolment is only ever looked up among that worker's
own, and the rules live in ``services``.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from registry.selectors.access import worker_for_user
from registry.selectors.filings import worker_filing_notice

from . import selectors, services
from .models import CoursePage, Enrolment, LessonPage


def _worker_or_404(request):
    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404(_("没有找到您的家政服务员档案。"))
    return worker


def _own_enrolment_and_lesson(request, enrolment_id: int, lesson_id: int):
    """The signed-in worker's enrolment and a live lesson of its course; 404 for anything else."""
    worker = _worker_or_404(request)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("course"), pk=enrolment_id, worker=worker
    )
    lesson = get_object_or_404(LessonPage.objects.live().child_of(enrolment.course), pk=lesson_id)
    return enrolment, lesson


@never_cache
@login_required
@require_GET
def my_learning(request):
    """我的学习: every enrolment with its progress bar, and where to continue."""
    worker = _worker_or_404(request)
    items = selectors.learning_overview(worker=worker)
    in_progress = [item for item in items if not item.progress.is_complete]
    resume = next((item for item in in_progress if item.continue_lesson), None)
    context = {
        "worker": worker,
        "items": items,
        "in_progress": in_progress,
        "completed": [item for item in items if item.progress.is_complete],
        "resume": resume,
        "course_index": selectors.course_index_page(),
        "filing_notice": worker_filing_notice(worker),
    }
    return TemplateResponse(request, "courses/my_learning.html", context)


@login_required
@require_POST
def enrol(request, course_id: int):
    """The worker enrols themself in a course (idempotent)."""
    worker = _worker_or_404(request)
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrolment = services.enrolment_create(
            worker=worker, course=course, acting_user=request.user
        )
    except services.EnrolmentRefused as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course.get_url(request))
    messages.success(request, _("报名成功，现在就可以开始学习了。"))
    first = selectors.lessons_of(enrolment.course).first()
    return redirect(first.get_url(request) if first else course.get_url(request))


@login_required
@require_POST
def lesson_done(request, enrolment_id: int, lesson_id: int):
    """Mark a lesson done (the button at the end of the lesson); then go on to the next one."""
    enrolment, lesson = _own_enrolment_and_lesson(request, enrolment_id, lesson_id)
    was_complete = enrolment.completed_at is not None
    try:
        services.lesson_complete(enrolment=enrolment, lesson=lesson, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(lesson.get_url(request) + "#lesson-done")
    following = _next_lesson(enrolment.course, lesson)
    if not was_complete and enrolment.completed_at is not None:
        messages.success(
            request,
            _("恭喜！您已学完《%(course)s》的全部必修课时。") % {"course": enrolment.course.title},
        )
    else:
        messages.success(request, _("《%(lesson)s》已完成。") % {"lesson": lesson.title})
    return redirect((following or enrolment.course).get_url(request))


def _next_lesson(course: CoursePage, lesson: LessonPage) -> LessonPage | None:
    return selectors.lessons_of(course).filter(path__gt=lesson.path).first()


@require_POST
def lesson_progress(request, enrolment_id: int, lesson_id: int):
    """A progress report from the lesson page's script (time on page, video ranges played).

    Accepts form data (``navigator.sendBeacon``) with ``ranges`` as a JSON list
    of ``[start, end]`` seconds. Answers JSON: seconds watched and needed.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("请先登录。")}, status=403)
    enrolment, lesson = _own_enrolment_and_lesson(request, enrolment_id, lesson_id)
    try:
        ranges = json.loads(request.POST.get("ranges") or "[]")
    except ValueError:
        ranges = []
    if not isinstance(ranges, list):
        ranges = []
    progress = services.lesson_progress_report(
        enrolment=enrolment, lesson=lesson, video_ranges=ranges[:200]
    )
    needed = services.video_seconds_required(lesson)
    return JsonResponse(
        {
            "watched": progress.video_seconds_watched,
            "needed": needed,
            "can_complete": progress.video_seconds_watched >= needed,
            "completed": progress.completed_at is not None,
        }
    )
