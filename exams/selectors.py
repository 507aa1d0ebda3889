"""Reads of the exams app: eligibility, attempts, what the client and the result pages show,
and (at the end) the figures over many workers that the dashboards, the agency panels
and the supervision rules read.

Nothing here writes. The client payloads never contain a correct answer or an
explanation while an attempt is in progress (``attempt_client_state``), and
the result honours the exam's review mode (``attempt_result``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncHour
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import selectors as course_selectors
from registry.models import FilingStatus
from registry.selectors.access import worker_for_user, workers_visible_to
from registry.selectors.credit import worker_is_blacklisted
from registry.selectors.filings import worker_filing_status, worker_is_registered

from . import grading
from .models import Accommodation, Answer, Attempt, AttemptQuestion, Exam

# ---------------------------------------------------------------------------
# Settings (app-level defaults; override in settings or the environment)


def save_grace() -> timedelta:
    """How long after the deadline an in-flight save is accepted (EXAMS_SAVE_GRACE_SECONDS)."""
    return timedelta(seconds=getattr(settings, "EXAMS_SAVE_GRACE_SECONDS", 30))


# ---------------------------------------------------------------------------
# Eligibility


@dataclass(frozen=True)
class Refusal:
    """Why a worker may not start an exam now: a stable code and a plain Chinese message."""

    code: str
    message: str


def accommodation_for(*, exam: Exam, worker) -> Accommodation | None:
    """The worker's extra attempts and minutes at `exam`, or None; callers scope `worker`."""
    return Accommodation.objects.filter(exam=exam, worker=worker).first()


def attempts_allowed_for(*, exam: Exam, worker, accommodation: Accommodation | None = None) -> int:
    """The exam's attempts plus the worker's extra attempts."""
    if accommodation is None:
        accommodation = accommodation_for(exam=exam, worker=worker)
    extra = accommodation.extra_attempts if accommodation else 0
    return exam.attempts_allowed + extra


def in_progress_attempt(*, exam: Exam, worker) -> Attempt | None:
    """The worker's attempt at `exam` still in progress, or None; no permission check."""
    return Attempt.objects.filter(
        exam=exam, worker=worker, status=Attempt.Status.IN_PROGRESS
    ).first()


def _local(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "Y-m-d H:i")


def _filing_refusal_message(worker) -> str:
    status = worker_filing_status(worker)
    if status is None:
        return _("你还没有备案登记，登记通过后才能参加考试。请联系所在企业办理。")
    return _("你的备案状态是“%(status)s”，审核通过（已登记）后才能参加考试。") % {
        "status": FilingStatus(status).label
    }


def exam_refusals(*, exam: Exam, worker, now: datetime | None = None) -> list[Refusal]:
    """Every reason `worker` may not start a new attempt at `exam` now (empty: may start).

    An attempt already in progress is not a refusal: starting resumes it.
    """
    now = now or timezone.now()
    refusals: list[Refusal] = []
    if not exam.is_active:
        refusals.append(Refusal("inactive", _("本考试暂未开放。")))
    if exam.available_from and now < exam.available_from:
        refusals.append(
            Refusal(
                "not_open_yet",
                _("考试将于 %(time)s 开放，请到时再来。") % {"time": _local(exam.available_from)},
            )
        )
    if exam.available_until and now >= exam.available_until:
        refusals.append(
            Refusal(
                "closed", _("考试已于 %(time)s 截止。") % {"time": _local(exam.available_until)}
            )
        )
    if worker_is_blacklisted(worker):
        refusals.append(
            Refusal(
                "blacklisted",
                _("你已被列入家政行业黑名单，不能参加考试。如有疑问，请联系所在企业或区商务部门。"),
            )
        )
    if exam.require_filing_approved and not worker_is_registered(worker):
        refusals.append(Refusal("filing_not_approved", _filing_refusal_message(worker)))
    if exam.require_course_completed and not course_selectors.course_completed(
        worker=worker, course=exam.course
    ):
        refusals.append(
            Refusal(
                "course_not_completed",
                _("请先学完课程《%(course)s》的全部必修课时，再参加考试。")
                % {"course": exam.course.title},
            )
        )

    finished = Attempt.objects.filter(exam=exam, worker=worker).exclude(
        status=Attempt.Status.IN_PROGRESS
    )
    if finished.filter(passed=True).exists():
        refusals.append(Refusal("already_passed", _("你已通过本考试，无需再考。")))
        return refusals
    used = Attempt.objects.filter(exam=exam, worker=worker).count()
    allowed = attempts_allowed_for(exam=exam, worker=worker)
    has_open = in_progress_attempt(exam=exam, worker=worker) is not None
    if used >= allowed and not has_open:
        refusals.append(
            Refusal(
                "no_attempts_left",
                _("你已用完全部 %(count)s 次考试机会。如需补考，请联系所在企业。")
                % {"count": allowed},
            )
        )
    last = finished.exclude(submitted_at=None).order_by("-submitted_at").first()
    if exam.cooldown_minutes and last and not has_open:
        ready_at = last.submitted_at + timedelta(minutes=exam.cooldown_minutes)
        if now < ready_at:
            refusals.append(
                Refusal(
                    "cooldown",
                    _("两次考试之间需间隔 %(minutes)s 分钟，请于 %(time)s 以后再考。")
                    % {"minutes": exam.cooldown_minutes, "time": _local(ready_at)},
                )
            )
    return refusals


# ---------------------------------------------------------------------------
# Exams and attempts of one worker


def exams_for_worker(*, worker) -> QuerySet[Exam]:
    """Active exams of the courses the worker is enrolled in, or has attempted."""
    return (
        Exam.objects.filter(is_active=True)
        .filter(Q(course__enrolments__worker=worker) | Q(attempts__worker=worker))
        .select_related("course")
        .distinct()
        .order_by("title", "pk")
    )


def attempts_of_worker(*, worker, exam: Exam | None = None) -> QuerySet[Attempt]:
    """The worker's attempts (at `exam` only, when given), newest first; callers scope `worker`."""
    qs = Attempt.objects.filter(worker=worker).select_related("exam")
    if exam is not None:
        qs = qs.filter(exam=exam)
    return qs.order_by("-started_at", "-pk")


def attempt_of_worker(*, worker, attempt_id: int) -> Attempt:
    """The attempt `attempt_id` if it belongs to `worker`; Http404 otherwise (no hint it exists)."""
    if worker is None:
        raise Http404
    attempt = (
        Attempt.objects.select_related("exam", "exam__course")
        .filter(pk=attempt_id, worker=worker)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def worker_for_user_or_404(user):
    """The worker of a login; Http404 for a login that is no worker."""
    worker = worker_for_user(user)
    if worker is None:
        raise Http404
    return worker


def attempt_is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Past the deadline and the grace for in-flight saves (a paused attempt never is)."""
    now = now or timezone.now()
    return attempt.paused_at is None and now > attempt.deadline + save_grace()


def overdue_attempt_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """In-progress attempts past deadline + grace and not paused, oldest deadline first."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(
            status=Attempt.Status.IN_PROGRESS, deadline__lt=now - save_grace(), paused_at=None
        )
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# ---------------------------------------------------------------------------
# What the phone client sees


def _choices_for_client(choices: list[dict]) -> list[dict]:
    return [
        {"key": c["key"], "label": grading.choice_label(i), "text": c["text"]}
        for i, c in enumerate(choices)
    ]


def attempt_client_state(attempt: Attempt, *, now: datetime | None = None) -> dict:
    """Everything the client needs to show and resume an attempt — never the answers key.

    The deadline and the server's clock are sent on every response so the
    countdown is re-synced; the client's own clock is never trusted.
    """
    now = now or timezone.now()
    questions = list(attempt.questions.select_related("answer").order_by("position"))
    answers = {}
    last_seq = 0
    payload_questions = []
    for aq in questions:
        payload_questions.append(
            {
                "position": aq.position,
                "type": aq.type,
                "stem": aq.stem,
                "image_url": aq.image_url,
                "choices": _choices_for_client(aq.choices),
                "points": aq.points,
            }
        )
        answer = getattr(aq, "answer", None)
        if answer is not None and answer.saved_at is not None:
            answers[str(aq.position)] = {"selected": answer.selected, "seq": answer.seq}
            last_seq = max(last_seq, answer.seq)
    return {
        **attempt_clock(attempt, now=now),
        "id": attempt.pk,
        "exam_id": attempt.exam_id,
        "exam_title": attempt.exam.title,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "last_seq": last_seq,
        "questions": payload_questions,
        "answers": answers,
    }


def attempt_clock(attempt: Attempt, *, now: datetime | None = None) -> dict:
    """Status, deadline and the server's clock: sent with every API answer. While paused the
    deadline shown keeps the time left (it moves on by the pause when resumed)."""
    now = now or timezone.now()
    paused = attempt.paused_at is not None
    deadline = attempt.deadline + (now - attempt.paused_at) if paused else attempt.deadline
    return {
        "status": attempt.status,
        "paused": paused,
        "deadline": deadline,
        "server_now": now,
        "seconds_left": max(0, int((deadline - now).total_seconds())),
        "grace_seconds": int(save_grace().total_seconds()),
    }


# ---------------------------------------------------------------------------
# Results


def attempt_result(attempt: Attempt) -> dict:
    """The result of a finished attempt as the exam's review mode allows.

    SCORE: score and pass/fail only. ANSWERS: plus, per question, the chosen and
    correct choices. EXPLANATIONS: plus the explanation of each question.
    """
    if not attempt.is_finished:
        raise ValueError("attempt not finished")
    exam = attempt.exam
    review = exam.review
    result = {
        "id": attempt.pk,
        "exam_id": exam.pk,
        "exam_title": exam.title,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "pass_mark": exam.pass_mark,
        "passed": bool(attempt.passed),
        "review": review,
        "questions": [],
    }
    questions = list(attempt.questions.select_related("answer").order_by("position"))
    result["answered"] = sum(
        1 for aq in questions if getattr(aq, "answer", None) and aq.answer.selected
    )
    result["correct_count"] = sum(
        1 for aq in questions if getattr(aq, "answer", None) and aq.answer.is_correct
    )
    result["question_count"] = len(questions)
    if review == Exam.Review.SCORE:
        return result
    for aq in questions:
        answer = getattr(aq, "answer", None)
        selected = answer.selected if answer else []
        labels = {c["key"]: grading.choice_label(i) for i, c in enumerate(aq.choices)}
        item = {
            "position": aq.position,
            "type": aq.type,
            "stem": aq.stem,
            "image_url": aq.image_url,
            "choices": [
                {**c, "selected": c["key"] in selected, "correct": c["key"] in aq.correct}
                for c in _choices_for_client(aq.choices)
            ],
            "selected_labels": sorted(labels[k] for k in selected if k in labels),
            "correct_labels": sorted(labels[k] for k in aq.correct if k in labels),
            "points": aq.points,
            "score": answer.score if answer and answer.score is not None else 0,
            "is_correct": bool(answer and answer.is_correct),
            "explanation": aq.explanation if review == Exam.Review.EXPLANATIONS else "",
        }
        result["questions"].append(item)
    return result


def passed_attempts(*, since: datetime | None = None) -> QuerySet[Attempt]:
    """Graded, passed attempts (optionally submitted at or after `since`), oldest first.

    For the certificates app: the events a certificate is issued for.
    """
    qs = Attempt.objects.filter(status=Attempt.Status.GRADED, passed=True).select_related(
        "exam", "worker"
    )
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    return qs.order_by("submitted_at", "pk")


def attempts_visible_to(user) -> QuerySet[Attempt]:
    """Attempts a staff login may see: those of the workers `workers_visible_to(user)` returns."""
    workers = workers_visible_to(user)
    return Attempt.objects.filter(worker__in=workers).select_related("exam", "worker")


def attempt_visible_to(user, attempt_id: int) -> Attempt:
    """Attempt `attempt_id` if the staff login may see it (``attempts_visible_to``), else 404."""
    attempt = attempts_visible_to(user).filter(pk=attempt_id).first()
    if attempt is None:
        raise Http404
    return attempt


def attempt_questions_with_answers(attempt: Attempt) -> QuerySet[AttemptQuestion]:
    """The attempt's questions in order with their answers (staff inspection); callers scope it."""
    return attempt.questions.select_related("answer").order_by("position")


def attempt_max_seq(attempt: Attempt) -> int:
    """The highest save sequence number among the attempt's answers (0 before any save)."""
    return (
        Answer.objects.filter(attempt_question__attempt=attempt).aggregate(m=Max("seq"))["m"] or 0
    )


# ---------------------------------------------------------------------------
# Figures over many workers (the dashboards, the agency panels, the supervision rules)


FINISHED = [Attempt.Status.SUBMITTED, Attempt.Status.GRADED]


def _attempts_used(*, worker, exam) -> Coalesce:
    """Attempts of `worker` at `exam` (outer-query references) as SQL, 0 for none."""
    used = (
        Attempt.objects.filter(worker=worker, exam=exam)
        .order_by()
        .values("worker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(used, output_field=IntegerField()), Value(0))


def _extra_attempts(*, worker, exam) -> Coalesce:
    """The extra attempts `worker` was granted at `exam` (outer-query references) as SQL, 0
    for none: the SQL form of the accommodation in :func:`attempts_allowed_for`."""
    extra = Accommodation.objects.filter(worker=worker, exam=exam).values("extra_attempts")[:1]
    return Coalesce(Subquery(extra, output_field=IntegerField()), Value(0))


def annotate_exam_state(workers: QuerySet) -> QuerySet:
    """Adds the last finished attempt (exam, score, passed, when) and attempts used and
    allowed at that exam; all as subqueries (one query). Callers pass workers already scoped."""
    last = Attempt.objects.filter(worker=OuterRef("pk"), status__in=FINISHED).order_by(
        "-submitted_at", "-pk"
    )
    allowed = Exam.objects.filter(pk=OuterRef("last_exam_id")).values("attempts_allowed")[:1]
    return workers.annotate(
        last_exam_id=Subquery(last.values("exam_id")[:1]),
        last_exam_title=Subquery(last.values("exam__title")[:1]),
        last_exam_score=Subquery(last.values("score")[:1]),
        last_exam_max=Subquery(last.values("max_score")[:1]),
        last_exam_passed=Subquery(last.values("passed")[:1]),
        last_exam_at=Subquery(last.values("submitted_at")[:1]),
    ).annotate(
        attempts_used=_attempts_used(worker=OuterRef("pk"), exam=OuterRef("last_exam_id")),
        attempts_allowed=Coalesce(Subquery(allowed, output_field=IntegerField()), Value(0))
        + _extra_attempts(worker=OuterRef("pk"), exam=OuterRef("last_exam_id")),
    )


def _attempts_of(workers: QuerySet) -> QuerySet[Attempt]:
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


def attempt_counts_by(workers: QuerySet, fields: list[str], *, since=None, until=None) -> list:
    """Graded attempts, passes, first attempts and first-attempt passes of `workers` (already
    scoped by the caller), submitted within [since, until), grouped by `fields` (e.g.
    ``["exam_id", "exam__title"]``)."""
    qs = _attempts_of(workers)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    rows = qs.order_by().values(*fields).annotate(**_attempt_aggregates()).order_by(*fields)
    return [_unalias(row) for row in rows]


def latest_results(workers: QuerySet, *, limit: int = 10) -> list[Attempt]:
    """The most recently graded attempts of `workers` (already scoped by the caller)."""
    return list(
        _attempts_of(workers)
        .filter(status=Attempt.Status.GRADED)
        .select_related("exam", "worker")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def windows_closing(workers: QuerySet, *, within_days: int = 14, now=None) -> QuerySet:
    """Exam chances about to be lost: active exams closing within `within_days`, for
    `workers` (already scoped by the caller) enrolled in the exam's course, not yet passed,
    with attempts left.

    Returns Exam rows annotated per worker (``worker_id``, ``used``, ``allowed``).
    """
    now = now or timezone.now()
    soon = now + timedelta(days=within_days)
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
            used=_attempts_used(worker=OuterRef("worker_id"), exam=OuterRef("pk")),
            allowed=F("attempts_allowed")
            + _extra_attempts(worker=OuterRef("worker_id"), exam=OuterRef("pk")),
            passed=Exists(passed),
        )
        .filter(passed=False, used__lt=F("allowed"))
        .order_by("available_until", "worker_id")
    )


def attempt_bursts_by_address(*, since, min_workers: int) -> list[dict]:
    """(client address, hour) pairs where at least `min_workers` workers started attempts,
    city-wide: for the supervision rules only, never shown to agencies."""
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
    """Attempts started from `client_ip` within [since, until), city-wide (supervision rules)."""
    return Attempt.objects.filter(
        client_ip=client_ip, started_at__gte=since, started_at__lt=until
    ).select_related("worker__agency")


def graded_answer_rows(*, since, min_wrong: int):
    """Answers of attempts graded since `since` with at least `min_wrong` wrong answers:
    ``(attempt_id, worker_id, exam_id, question_id, selected, is_correct)`` ordered by
    attempt and question, city-wide, for the identical-answers supervision rule."""
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
    ``courses.selectors.learning_conditions``)."""
    attempts = Attempt.objects.filter(worker=OuterRef("pk"), passed=True)
    if within is not None:
        attempts = attempts.filter(worker__in=within.values("pk"))
    return Exists(attempts)
