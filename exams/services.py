"""Writes of the exams app: starting, saving, submitting and grading attempts; importing questions.

The server's clock is the only clock. Every write to an attempt locks its row
(``select_for_update``), so a save, a submit and the overdue sweep never
interleave: submitting twice, or submitting while a save is in flight, grades
the attempt exactly once.

Event for the certificates app: when grading passes an attempt, after commit,
``send_task_by_name("certificates.tasks.certificate_issue_for_attempt", attempt.pk)``.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit, audit_many
from lms.tasks import send_task_by_name

from . import grading
from .models import Answer, Attempt, AttemptQuestion, Exam, Question, QuestionCategory
from .selectors import (
    Refusal,
    accommodation_for,
    attempt_is_overdue,
    exam_refusals,
    in_progress_attempt,
    overdue_attempt_ids,
    save_grace,
)

CERTIFICATE_TASK = "certificates.tasks.certificate_issue_for_attempt"
IMAGE_RENDITION = "max-720x720"


class ExamError(Exception):
    """A refused exam action; `code` is stable for the client, `message` is for people."""

    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotEligible(ExamError):
    """The worker may not start this exam now; the message lists every reason."""

    code = "not_eligible"

    def __init__(self, refusals: list[Refusal]):
        super().__init__("；".join(r.message for r in refusals))
        self.refusals = refusals


class TimeUp(ExamError):
    """The attempt's time is over: a late answer or submission is refused, saved answers stay."""

    code = "time_up"


class AttemptFinished(ExamError):
    """The attempt was already submitted or graded: it takes no more answers."""

    code = "attempt_finished"


class AttemptPaused(ExamError):
    """A proctor paused the attempt: no answer is saved and it is not submitted until resumed."""

    code = "paused"


class InvalidAnswer(ExamError):
    """The answer names no option of the question, or too many for its type."""

    code = "invalid_answer"


class BankTooSmall(ExamError):
    """The question bank has fewer questions than the exam's draw rules ask for."""

    code = "bank_too_small"


# ---------------------------------------------------------------------------
# Starting


def attempt_start(
    *,
    exam: Exam,
    worker,
    user=None,
    client_ip: str | None = None,
    rng: random.Random | None = None,
) -> tuple[Attempt, bool]:
    """Start an attempt, or resume the one in progress; returns (attempt, created).

    The deadline is fixed here: now + time limit + the worker's extra time,
    never later than the exam's closing time. An open attempt found past its
    deadline is graded first (as the sweeper would) before a new one is
    considered. Refusals raise :class:`NotEligible` with every reason.
    """
    current = in_progress_attempt(exam=exam, worker=worker)
    if current is not None:
        if not attempt_is_overdue(current):
            return current, False
        attempt_submit(attempt=current, auto=True)
    return _attempt_create(
        exam=exam, worker=worker, user=user, client_ip=client_ip, rng=rng or random.SystemRandom()
    )


@transaction.atomic
def _attempt_create(*, exam, worker, user, client_ip, rng) -> tuple[Attempt, bool]:
    refusals = exam_refusals(exam=exam, worker=worker)
    if refusals:
        raise NotEligible(refusals)
    now = timezone.now()
    accommodation = accommodation_for(exam=exam, worker=worker)
    extra_minutes = accommodation.extra_minutes if accommodation else 0
    deadline = now + timedelta(minutes=exam.time_limit_minutes + extra_minutes)
    if exam.available_until:
        deadline = min(deadline, exam.available_until)
    drawn = _draw_questions(exam=exam, rng=rng)
    number = (
        Attempt.objects.filter(exam=exam, worker=worker).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    try:
        # A second phone starting at the same moment hits the one-in-progress
        # constraint; it then resumes the attempt the first phone created.
        with transaction.atomic():
            attempt = Attempt.objects.create(
                exam=exam,
                worker=worker,
                number=number,
                started_at=now,
                deadline=deadline,
                client_ip=client_ip,
                started_by=user if user is not None and user.is_authenticated else None,
                max_score=sum((points for _q, points in drawn), Decimal(0)),
            )
    except IntegrityError:
        current = in_progress_attempt(exam=exam, worker=worker)
        if current is None:
            raise
        return current, False
    AttemptQuestion.objects.bulk_create(
        [
            _snapshot(attempt, position, question, points, exam=exam, rng=rng)
            for position, (question, points) in enumerate(drawn, start=1)
        ]
    )
    audit(
        attempt,
        "exams.attempt_start",
        user=user,
        data={
            "exam": exam.pk,
            "number": number,
            "deadline": deadline,
            "extra_minutes": extra_minutes,
            "questions": len(drawn),
        },
    )
    return attempt, True


def _draw_questions(*, exam: Exam, rng: random.Random) -> list[tuple[Question, Decimal]]:
    """The questions of a new attempt with their points, in the order to show them."""
    rules = list(exam.draw_rules.select_related("category").order_by("sort_order", "pk"))
    if not rules:
        raise BankTooSmall(_("这场考试还没有设置抽题规则，请联系管理员。"))
    used: set[int] = set()
    picked: list[tuple[int, Decimal]] = []
    for rule in rules:
        pool = [
            pk
            for pk in Question.objects.filter(category=rule.category, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            if pk not in used
        ]
        try:
            ids = grading.draw(pool, rule.count, rng)
        except ValueError:
            raise BankTooSmall(
                _("题库中“%(category)s”的可用试题不足 %(count)s 道，请联系管理员。")
                % {"category": rule.category.name, "count": rule.count}
            ) from None
        if not exam.shuffle_questions:
            ids.sort()
        used.update(ids)
        picked.extend((pk, rule.points) for pk in ids)
    if exam.shuffle_questions:
        rng.shuffle(picked)
    questions = Question.objects.select_related("image").in_bulk([pk for pk, _p in picked])
    return [(questions[pk], points) for pk, points in picked]


def _snapshot(attempt, position, question: Question, points, *, exam, rng) -> AttemptQuestion:
    """Freeze `question` as this attempt shows it: later edits of the bank change nothing here."""
    if question.type == Question.Type.TRUE_FALSE:
        choices = [dict(c) for c in (question.choices or grading.TRUE_FALSE_CHOICES)]
    elif exam.shuffle_choices:
        choices = grading.shuffled_choices(question.choices, question.type, rng)
    else:
        choices = [dict(c) for c in question.choices]
    image_url = ""
    if question.image_id:
        try:
            image_url = question.image.get_rendition(IMAGE_RENDITION).url
        except (OSError, ValueError):
            image_url = question.image.file.url
    return AttemptQuestion(
        attempt=attempt,
        question=question,
        position=position,
        type=question.type,
        stem=question.stem,
        image_url=image_url,
        choices=choices,
        correct=list(question.correct),
        explanation=question.explanation,
        points=points,
    )


# ---------------------------------------------------------------------------
# Saving one answer


@dataclass
class SaveResult:
    """What happened to one save: `saved`, `duplicate` (same seq again) or `stale` (older seq)."""

    outcome: str
    attempt: Attempt
    position: int
    selected: list = field(default_factory=list)
    seq: int = 0
    saved_at: datetime | None = None

    @property
    def applied(self) -> bool:
        """Whether the stored answer now is the one this save carried."""
        return self.outcome in ("saved", "duplicate")


def answer_save(
    *, attempt: Attempt, position: int, selected: list, seq: int, owner=None
) -> SaveResult:
    """Store one answer if `seq` is newer than the stored one; idempotent for a retried save.

    Refused with :class:`TimeUp` once the server's clock is past deadline +
    grace (the attempt is then graded with what was saved), and with
    :class:`AttemptFinished` after submission. Any time the client claims is
    ignored. With `owner` (a login), an attempt that is not that worker's
    raises ``Attempt.DoesNotExist``.
    """
    try:
        return _answer_save(
            attempt_id=attempt.pk, position=position, selected=selected, seq=seq, owner=owner
        )
    except TimeUp:
        attempt_submit(attempt=attempt, auto=True)
        raise


# PositiveIntegerField's upper bound on every backend (PostgreSQL's integer).
MAX_SEQ = 2_147_483_647


def _valid_seq(seq) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq <= MAX_SEQ


@transaction.atomic
def _answer_save(*, attempt_id: int, position: int, selected: list, seq: int, owner) -> SaveResult:
    """One short transaction: lock the attempt row (a submit locks it too), check, write."""
    locked = Attempt.objects.select_for_update(of=("self",)).filter(pk=attempt_id)
    if owner is not None:
        locked = locked.filter(worker__user_id=owner.pk if owner.is_authenticated else None)
    attempt = locked.get()
    now = timezone.now()
    if attempt.status != Attempt.Status.IN_PROGRESS:
        if attempt.ended_reason:
            raise AttemptFinished(_ended_message(attempt), code="attempt_ended")
        raise AttemptFinished(_("这次考试已经交卷，不能再修改答案。"))
    if attempt.paused_at is not None:
        raise AttemptPaused(_("监考员暂停了考试，答案暂时不能保存，请等待恢复。"))
    if now > attempt.deadline + save_grace():
        raise TimeUp(_("考试时间已到，答案不能再修改。系统已按已保存的答案交卷。"))
    question = (
        AttemptQuestion.objects.select_related("answer")
        .filter(attempt=attempt, position=position)
        .first()
    )
    if question is None:
        raise InvalidAnswer(_("没有这道题。"))
    if not _valid_seq(seq):
        raise InvalidAnswer(_("序号无效。"))
    keys = grading.normalise_selection(selected)
    allowed = {c["key"] for c in question.choices}
    if not set(keys) <= allowed:
        raise InvalidAnswer(_("所选的选项不属于这道题。"))
    if question.type != Question.Type.MULTIPLE and len(keys) > 1:
        raise InvalidAnswer(_("这道题只能选一个答案。"))

    answer = getattr(question, "answer", None)
    if answer is None:
        answer = Answer.objects.create(
            attempt_question=question, selected=keys, seq=seq, saved_at=now
        )
        outcome = "saved"
    elif seq > answer.seq:
        answer.selected, answer.seq, answer.saved_at = keys, seq, now
        answer.save(update_fields=["selected", "seq", "saved_at"])
        outcome = "saved"
    elif seq == answer.seq and answer.selected == keys:
        outcome = "duplicate"
    else:
        # An older (or conflicting same-numbered) save arriving late loses.
        outcome = "stale"
    return SaveResult(
        outcome=outcome,
        attempt=attempt,
        position=position,
        selected=answer.selected,
        seq=answer.seq,
        saved_at=answer.saved_at,
    )


# ---------------------------------------------------------------------------
# Submitting and grading


def attempt_submit(*, attempt: Attempt, user=None, auto: bool = False, owner=None) -> Attempt:
    """Submit and grade `attempt` with the answers saved so far; exactly once.

    A second submit (or the sweeper after a submit) finds the attempt graded
    and returns it unchanged. A passing grade sends the certificates app's
    task after commit. With `owner` (a login), an attempt that is not that
    worker's raises ``Attempt.DoesNotExist`` (checked by the locking query).
    """
    return _attempt_grade(attempt_id=attempt.pk, user=user, auto=auto, owner=owner)[0]


def attempt_submit_if_overdue(attempt: Attempt) -> Attempt:
    """Submit `attempt` automatically when its time ran out unfinished; else return it as
    it is. For the attempt and result pages and the result API, which close an overdue
    attempt when it is looked at."""
    if not attempt.is_finished and attempt_is_overdue(attempt):
        return attempt_submit(attempt=attempt, auto=True)
    return attempt


@transaction.atomic
def _attempt_grade(*, attempt_id: int, user, auto: bool, owner=None) -> tuple[Attempt, bool]:
    """(attempt, graded by this call) — the row lock makes the second caller see it graded.

    A fixed number of statements whatever the number of questions, so the lock
    is held briefly when every worker submits at once: the locked attempt with
    its exam and worker, the questions with their answers, one upsert of every
    answer's score, one update of the attempt, one audit entry.
    """
    locked = Attempt.objects.select_for_update(of=("self",)).select_related("exam", "worker")
    if owner is not None:
        locked = locked.filter(worker__user_id=owner.pk if owner.is_authenticated else None)
    locked = locked.get(pk=attempt_id)
    if locked.status != Attempt.Status.IN_PROGRESS:
        return locked, False
    if locked.paused_at is not None:
        raise AttemptPaused(_("监考员暂停了考试，恢复后才能交卷。"))
    exam = locked.exam
    now = timezone.now()
    overdue = now > locked.deadline + save_grace()

    questions = list(
        AttemptQuestion.objects.filter(attempt=locked).select_related("answer").order_by("position")
    )
    graded = []
    total = Decimal(0)
    max_score = Decimal(0)
    answered = 0
    for question in questions:
        answer = getattr(question, "answer", None)
        if answer is None:
            # Never answered: the row is written now, with no selection and no save time.
            answer = Answer(attempt_question=question, selected=[], seq=0, saved_at=None)
        answered += bool(answer.selected)
        result = grading.grade_answer(
            question_type=question.type,
            correct=question.correct,
            selected=answer.selected,
            points=question.points,
            multiple_scoring=exam.multiple_scoring,
        )
        total += result.score
        max_score += question.points
        answer.score, answer.is_correct = result.score, result.is_correct
        graded.append(answer)
    # One statement for every answer: existing rows get their score (their selection, sequence
    # number and save time are left as saved), missing ones are inserted.
    Answer.objects.bulk_create(
        graded,
        update_conflicts=True,
        unique_fields=["attempt_question"],
        update_fields=["score", "is_correct"],
    )

    outcome = {
        "status": Attempt.Status.GRADED,
        "submitted_at": now,
        # At or after the deadline it is the time-up that submits (the phone's
        # timer within the grace, the server after it), not the worker.
        "auto_submitted": auto or overdue or now >= locked.deadline,
        "score": total,
        "max_score": max_score,
        # An attempt a proctor ended for misconduct fails whatever its score.
        "passed": not locked.ended_reason
        and grading.passed(score=total, max_score=max_score, pass_mark=exam.pass_mark),
    }
    # An UPDATE, not save(): no post_save work (the reference index has nothing new to record).
    Attempt.objects.filter(pk=locked.pk).update(**outcome)
    for name, value in outcome.items():
        setattr(locked, name, value)
    action = "exams.attempt_auto_submit" if locked.auto_submitted else "exams.attempt_submit"
    data = {"score": total, "max_score": max_score, "passed": locked.passed, "answered": answered}
    # One INSERT (audit() goes through Wagtail's log(), two statements more under the lock).
    audit_many([(locked, action, data)], user=user)
    if locked.passed:
        send_task_by_name(CERTIFICATE_TASK, locked.pk)
    return locked, True


def attempts_finalize_overdue(*, limit: int = 500) -> int:
    """Grade every in-progress attempt past deadline + grace; returns how many were graded now.

    Each attempt is graded in its own transaction, so one failure does not
    hold back the others and a rerun picks up what is left.
    """
    graded = 0
    for attempt_id in overdue_attempt_ids(limit=limit):
        _attempt, graded_now = _attempt_grade(attempt_id=attempt_id, user=None, auto=True)
        graded += graded_now
    return graded


# ---------------------------------------------------------------------------
# A proctor's actions (supervised sittings, #27): each locks the attempt, checks it is in
# progress, writes with update_fields and is audited with the reason.


def _ended_message(attempt: Attempt) -> str:
    return _("监考员已终止本次考试：%(reason)s") % {"reason": attempt.ended_reason}


def _proctored(attempt: Attempt, action: str, *, user, data: dict, **changes) -> Attempt:
    locked = Attempt.objects.select_for_update(of=("self",)).get(pk=attempt.pk)
    if locked.status != Attempt.Status.IN_PROGRESS:
        raise AttemptFinished(_("这次考试已经交卷。"))
    paused = locked.paused_at is not None
    if action == "exams.attempt_pause" and paused:
        raise ExamError(_("考试已经暂停。"), code="already_paused")
    if action == "exams.attempt_resume" and not paused:
        raise ExamError(_("考试没有暂停。"), code="not_paused")
    if action == "exams.attempt_resume":
        changes["deadline"] = locked.deadline + (timezone.now() - locked.paused_at)
    if action == "exams.attempt_extend":
        changes["deadline"] = locked.deadline + timedelta(minutes=data["minutes"])
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(changes))
    audit(locked, action, user=user, data={**data, "deadline": locked.deadline})
    return locked


@transaction.atomic
def attempt_extend(*, attempt: Attempt, minutes: int, reason: str, user) -> Attempt:
    """Move the server's deadline `minutes` later (the client re-syncs on its next answer)."""
    return _proctored(
        attempt, "exams.attempt_extend", user=user, data={"minutes": minutes, "reason": reason}
    )


@transaction.atomic
def attempt_pause(*, attempt: Attempt, reason: str, user) -> Attempt:
    """Stop the clock for an incident: saves and submits are refused until resumed."""
    now = timezone.now()
    return _proctored(
        attempt, "exams.attempt_pause", user=user, data={"reason": reason}, paused_at=now
    )


@transaction.atomic
def attempt_resume(*, attempt: Attempt, user) -> Attempt:
    """Restart the clock: the deadline moves on by the time the attempt was paused."""
    return _proctored(attempt, "exams.attempt_resume", user=user, data={}, paused_at=None)


@transaction.atomic
def attempt_end(*, attempt: Attempt, reason: str, user) -> Attempt:
    """End the attempt for misconduct: graded with what was saved, failed, `reason` shown."""
    _proctored(
        attempt,
        "exams.attempt_end",
        user=user,
        data={"reason": reason},
        paused_at=None,
        ended_reason=reason,
    )
    return _attempt_grade(attempt_id=attempt.pk, user=user, auto=False)[0]


# ---------------------------------------------------------------------------
# Question bank import


@transaction.atomic
def questions_import(*, rows: list, user, create_categories: bool = False) -> dict:
    """Write validated question rows (all of them, or nothing). Returns counts.

    `rows` come from :func:`exams.xlsx.parse_questions` with no errors; each
    is a dict with `id` (None for a new question), `category`, `type`, `stem`,
    `choices`, `correct`, `explanation`, `difficulty`, `is_active`.
    """
    created = updated = 0
    categories = {c.name: c for c in QuestionCategory.objects.all()}
    for row in rows:
        category = categories.get(row["category"])
        if category is None:
            if not create_categories:
                raise ValueError(f"unknown category {row['category']!r}")
            category = QuestionCategory.objects.create(name=row["category"])
            categories[category.name] = category
        values = {
            "category": category,
            "type": row["type"],
            "stem": row["stem"],
            "choices": row["choices"],
            "correct": row["correct"],
            "explanation": row["explanation"],
            "difficulty": row["difficulty"],
            "is_active": row["is_active"],
        }
        if row["id"]:
            question = Question.objects.select_for_update().get(pk=row["id"])
            for name, value in values.items():
                setattr(question, name, value)
            question.save()
            updated += 1
        else:
            question = Question.objects.create(**values)
            created += 1
        audit(
            question,
            "exams.question_import",
            user=user,
            data={"row": row.get("row"), "new": not row["id"]},
        )
    return {"created": created, "updated": updated, "rows": len(rows)}


def attempt_save_all_and_submit(
    *, attempt: Attempt, answers: dict[int, list], user=None
) -> Attempt:
    """The page's plain form (no JavaScript): save every answer given, then submit.

    The saves carry one sequence number above every stored one, so they win
    over earlier autosaves. After the deadline + grace nothing is saved and
    the attempt is graded with what was stored before.
    """
    from .selectors import attempt_max_seq

    seq = attempt_max_seq(attempt) + 1
    for position, selected in sorted(answers.items()):
        try:
            answer_save(attempt=attempt, position=position, selected=selected, seq=seq)
        except (TimeUp, AttemptFinished):
            break
        except InvalidAnswer:
            continue
    return attempt_submit(attempt=attempt, user=user)
