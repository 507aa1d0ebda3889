"""Worker pages under /me/exams/: the exam list, an exam, the attempt client and the result.

Every page finds the signed-in worker first and answers 404 for anything
that is not theirs. The attempt page works without JavaScript as one plain
form; ``static/exams/attempt.js`` turns it into the one-question-at-a-time
client with autosave, offline queue and countdown.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lms.client import client_address
from lms.http import private_answer

from . import grading, selectors, services
from .models import Exam


def _worker(request):
    return selectors.worker_for_user_or_404(request.user)


@private_answer
@login_required
@require_GET
def exam_list(request):
    worker = _worker(request)
    # All of the worker's attempts in one query, not one query per exam.
    attempts_by_exam: dict[int, list] = defaultdict(list)
    for attempt in selectors.attempts_of_worker(worker=worker):
        attempts_by_exam[attempt.exam_id].append(attempt)
    items = []
    for exam in selectors.exams_for_worker(worker=worker):
        attempts = attempts_by_exam[exam.pk]
        current = next((a for a in attempts if not a.is_finished), None)
        best = max(
            (a for a in attempts if a.percent is not None), key=lambda a: a.percent, default=None
        )
        items.append(
            {
                "exam": exam,
                "current": current,
                "best": best,
                "passed": any(a.passed for a in attempts),
                "attempts": len(attempts),
                "refusals": [] if current else selectors.exam_refusals(exam=exam, worker=worker),
            }
        )
    return render(request, "exams/exam_list.html", {"items": items})


@private_answer
@login_required
@require_GET
def exam_detail(request, exam_id: int):
    worker = _worker(request)
    exam = get_object_or_404(Exam.objects.select_related("course"), pk=exam_id, is_active=True)
    attempts = list(selectors.attempts_of_worker(worker=worker, exam=exam))
    current = next((a for a in attempts if not a.is_finished), None)
    accommodation = selectors.accommodation_for(exam=exam, worker=worker)
    context = {
        "exam": exam,
        "attempts": attempts,
        "current": current,
        "accommodation": accommodation,
        "attempts_allowed": selectors.attempts_allowed_for(
            exam=exam, worker=worker, accommodation=accommodation
        ),
        "time_limit": exam.time_limit_minutes
        + (accommodation.extra_minutes if accommodation else 0),
        "refusals": [] if current else selectors.exam_refusals(exam=exam, worker=worker),
    }
    return render(request, "exams/exam_detail.html", context)


@login_required
@require_POST
def exam_start(request, exam_id: int):
    worker = _worker(request)
    exam = get_object_or_404(Exam, pk=exam_id, is_active=True)
    try:
        attempt, _created = services.attempt_start(
            exam=exam, worker=worker, user=request.user, client_ip=client_address(request) or None
        )
    except services.NotEligible as exc:
        for refusal in exc.refusals:
            messages.error(request, refusal.message)
        return redirect("exams:detail", exam_id=exam.pk)
    except services.BankTooSmall as exc:
        messages.error(request, exc.message)
        return redirect("exams:detail", exam_id=exam.pk)
    return redirect("exams:attempt", attempt_id=attempt.pk)


@never_cache
@login_required
@require_GET
def attempt_page(request, attempt_id: int):
    attempt = selectors.attempt_of_worker(worker=_worker(request), attempt_id=attempt_id)
    attempt = services.attempt_submit_if_overdue(attempt)
    if attempt.is_finished:
        return redirect("exams:result", attempt_id=attempt.pk)
    now = timezone.now()
    state = selectors.attempt_client_state(attempt, now=now)
    questions = []
    for q in state["questions"]:
        saved = state["answers"].get(str(q["position"]), {}).get("selected", [])
        questions.append(
            {
                **q,
                "type_label": _type_label(q["type"]),
                "input_type": "checkbox" if q["type"] == grading.MULTIPLE else "radio",
                "choices": [{**c, "checked": c["key"] in saved} for c in q["choices"]],
                "answered": bool(saved),
            }
        )
    context = {
        "attempt": attempt,
        "state": state,
        "questions": questions,
        "answered": sum(1 for q in questions if q["answered"]),
        "minutes_left": state["seconds_left"] // 60,
        "api": {
            "questions": reverse("api:attempt_questions", kwargs={"attempt_id": attempt.pk}),
            # The client appends the question's position.
            "answer": reverse(
                "api:save_answer", kwargs={"attempt_id": attempt.pk, "position": 0}
            ).removesuffix("0"),
            "submit": reverse("api:submit_attempt", kwargs={"attempt_id": attempt.pk}),
        },
    }
    return render(request, "exams/attempt.html", context)


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    """The plain form's submit: saves the choices on the page, then grades the attempt."""
    attempt = selectors.attempt_of_worker(worker=_worker(request), attempt_id=attempt_id)
    answers = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            answers[int(key[1:])] = request.POST.getlist(key)
    overdue = selectors.attempt_is_overdue(attempt)
    try:
        attempt = services.attempt_save_all_and_submit(
            attempt=attempt, answers=answers, user=request.user
        )
    except services.AttemptPaused as exc:
        messages.error(request, exc.message)
        return redirect("exams:attempt", attempt_id=attempt.pk)
    if overdue:
        messages.warning(request, _("考试时间已到，系统已按时间到之前保存的答案交卷。"))
    return redirect("exams:result", attempt_id=attempt.pk)


@never_cache
@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    attempt = selectors.attempt_of_worker(worker=_worker(request), attempt_id=attempt_id)
    attempt = services.attempt_submit_if_overdue(attempt)
    if not attempt.is_finished:
        return redirect("exams:attempt", attempt_id=attempt.pk)
    result = selectors.attempt_result(attempt)
    return render(request, "exams/result.html", {"attempt": attempt, "result": result})


def _type_label(question_type: str) -> str:
    return {
        grading.SINGLE: _("单选题"),
        grading.MULTIPLE: _("多选题"),
        grading.TRUE_FALSE: _("判断题"),
    }.get(question_type, "")
