"""The exam client's JSON API, mounted at /api/v1/exam/ (django-ninja; session auth + CSRF).

Every endpoint answers 404 for an attempt that is not the signed-in worker's
own (or for a login that is no worker), exactly as for one that does not
exist. Unsafe methods need the CSRF token (``X-CSRFToken`` header): ninja's
``django_auth`` checks it for cookie-authenticated requests.

Every answer about an attempt carries ``deadline`` and ``server_now`` so the
client re-syncs its countdown; the client's own clock is never used.
"""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ninja import Path, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field, StringConstraints

from lms.api_errors import responses
from lms.client import client_address

from . import selectors, services
from .models import Attempt, Exam

router = Router(tags=["exam"], auth=django_auth)


# --- Schemas ---------------------------------------------------------------

# Bounded as the database columns are, so that no value reaches PostgreSQL that
# it would refuse (an out-of-range integer, a NUL byte): such a request is a 422.
ObjectId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Position = Annotated[int, Path(ge=0, le=2**31 - 1)]
ChoiceKey = Annotated[str, StringConstraints(max_length=32, pattern=r"^[^\x00-\x1f\x7f]*$")]


class Clock(Schema):
    status: str
    # A proctor paused the attempt (supervised sittings): the countdown stands still.
    paused: bool = False
    deadline: datetime
    server_now: datetime
    seconds_left: int
    grace_seconds: int


class ChoiceOut(Schema):
    key: str
    label: str
    text: str


class QuestionOut(Schema):
    position: int
    type: str
    stem: str
    image_url: str
    choices: list[ChoiceOut]
    points: float


class SavedAnswer(Schema):
    selected: list[str]
    seq: int


class AttemptOut(Clock):
    id: int
    exam_id: int
    exam_title: str
    number: int
    started_at: datetime
    last_seq: int
    questions: list[QuestionOut]
    answers: dict[str, SavedAnswer]


class RefusalOut(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    detail: str
    reasons: list[RefusalOut] = []
    status: str | None = None
    paused: bool | None = None
    deadline: datetime | None = None
    server_now: datetime | None = None
    seconds_left: int | None = None
    grace_seconds: int | None = None


class AnswerIn(Schema):
    selected: list[ChoiceKey] = Field(max_length=64)
    seq: int = Field(ge=0, le=2**31 - 1)
    # Accepted for diagnostics and ignored: only the server's clock counts.
    client_time: str | None = None


class AnswerOut(Clock):
    outcome: str
    applied: bool
    position: int
    selected: list[str]
    seq: int
    saved_at: datetime | None


class ResultChoice(ChoiceOut):
    selected: bool
    correct: bool


class ResultQuestion(Schema):
    position: int
    type: str
    stem: str
    image_url: str
    choices: list[ResultChoice]
    selected_labels: list[str]
    correct_labels: list[str]
    points: float
    score: float
    is_correct: bool
    explanation: str


class ResultOut(Schema):
    id: int
    exam_id: int
    exam_title: str
    number: int
    status: str
    started_at: datetime
    submitted_at: datetime | None
    auto_submitted: bool
    score: float
    max_score: float
    percent: float
    pass_mark: int
    passed: bool
    review: str
    question_count: int
    answered: int
    correct_count: int
    questions: list[ResultQuestion]


# --- Helpers ---------------------------------------------------------------


def _attempt(request, attempt_id: int):
    worker = selectors.worker_for_user_or_404(request.user)
    return selectors.attempt_of_worker(worker=worker, attempt_id=attempt_id)


def _error(exc: services.ExamError, attempt=None) -> dict:
    body = {"code": exc.code, "detail": exc.message}
    if isinstance(exc, services.NotEligible):
        body["reasons"] = [{"code": r.code, "message": r.message} for r in exc.refusals]
    if attempt is not None:
        attempt.refresh_from_db()
        body.update(selectors.attempt_clock(attempt))
    return body


# --- Endpoints -------------------------------------------------------------


@router.post(
    "/exams/{exam_id}/attempts",
    response=responses(
        {200: AttemptOut, 201: AttemptOut, 403: ErrorOut, 409: ErrorOut}, signed_in=True
    ),
    summary="Start an attempt (or resume the one in progress)",
)
def start_attempt(request, exam_id: ObjectId):
    """201 with a new attempt, 200 when resuming the one in progress, 403 with every reason
    when the worker may not start."""
    worker = selectors.worker_for_user_or_404(request.user)
    exam = get_object_or_404(Exam, pk=exam_id, is_active=True)
    try:
        attempt, created = services.attempt_start(
            exam=exam, worker=worker, user=request.user, client_ip=client_address(request) or None
        )
    except services.NotEligible as exc:
        return Status(403, _error(exc))
    except services.BankTooSmall as exc:
        return Status(409, _error(exc))
    return Status(201 if created else 200, selectors.attempt_client_state(attempt))


@router.get(
    "/attempts/{attempt_id}/questions",
    response=responses(AttemptOut, signed_in=True),
    summary="The attempt's questions and saved answers (never the correct ones)",
)
def attempt_questions(request, attempt_id: ObjectId):
    return selectors.attempt_client_state(_attempt(request, attempt_id))


@router.put(
    "/attempts/{attempt_id}/answers/{position}",
    response=responses({200: AnswerOut, 409: ErrorOut, 422: ErrorOut}, signed_in=True),
    summary="Save one answer (idempotent; a lower sequence number never overwrites a higher one)",
)
def save_answer(request, attempt_id: ObjectId, position: Position, payload: AnswerIn):
    """`outcome` is `saved`, `duplicate` (this seq was stored before) or `stale` (a newer
    answer is stored; it is returned). 409 `time_up` after deadline + grace, 409
    `attempt_finished` after submission, 409 `attempt_ended` (with the reason) after a
    proctor ended it, 409 `paused` while a proctor has paused it."""
    # Ownership is checked by the query that locks the attempt for the save.
    attempt = Attempt(pk=attempt_id)
    try:
        result = services.answer_save(
            attempt=attempt,
            position=position,
            selected=payload.selected,
            seq=payload.seq,
            owner=request.user,
        )
    except Attempt.DoesNotExist:
        raise Http404 from None
    except (services.TimeUp, services.AttemptFinished, services.AttemptPaused) as exc:
        return Status(409, _error(exc, attempt))
    except services.InvalidAnswer as exc:
        return Status(422, _error(exc, attempt))
    return Status(
        200,
        {
            **selectors.attempt_clock(result.attempt),
            "outcome": result.outcome,
            "applied": result.applied,
            "position": result.position,
            "selected": result.selected,
            "seq": result.seq,
            "saved_at": result.saved_at,
        },
    )


@router.post(
    "/attempts/{attempt_id}/submit",
    response=responses({200: ResultOut, 409: ErrorOut}, signed_in=True),
    summary="Submit and grade (a second submit returns the same result)",
)
def submit_attempt(request, attempt_id: ObjectId):
    """409 `paused` while a proctor has paused the attempt."""
    # Ownership is checked by the query that locks the attempt for grading.
    try:
        attempt = services.attempt_submit(
            attempt=Attempt(pk=attempt_id), user=request.user, owner=request.user
        )
    except Attempt.DoesNotExist:
        raise Http404 from None
    except services.AttemptPaused as exc:
        return Status(409, _error(exc, Attempt.objects.get(pk=attempt_id)))
    return Status(200, selectors.attempt_result(attempt))


@router.get(
    "/attempts/{attempt_id}/result",
    response=responses({200: ResultOut, 409: ErrorOut}, signed_in=True),
    summary="The result, as the exam's review mode allows",
)
def attempt_result(request, attempt_id: ObjectId):
    attempt = _attempt(request, attempt_id)
    attempt = services.attempt_submit_if_overdue(attempt)
    if not attempt.is_finished:
        return Status(
            409,
            {
                "code": "not_finished",
                "detail": _("还没有交卷。"),
                **selectors.attempt_clock(attempt),
            },
        )
    return Status(200, selectors.attempt_result(attempt))
