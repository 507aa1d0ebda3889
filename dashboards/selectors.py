"""Reads of the agency workspace: scope, funnel, action lists, report rows, timeline.

Everything is scoped by ``registry.selectors.access.workers_visible_to(user)``: an
agency staff member sees their agency's workers (only their branch's when
limited to one), a district regulator their district's, a city regulator all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates import door
from certificates import stats as certificate_stats
from certificates.selectors import certificates_for_worker
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from registry.models import Branch, Filing, FilingStatus, Worker
from registry.selectors.access import (
    agencies_visible_to,
    agency_staff_for_user,
    regulator_district_for_user,
    user_is_regulator,
    user_sees_all_workers,
    workers_visible_to,
)
from registry.selectors.insurance import insurance_expiry_for_workers
from registry.selectors.statistics import credit_records_of_worker, filing_transitions_of
from registry.selectors.visits import service_visits_of_worker
from registry.selectors.workers import worker_employment_history

from .models import Reminder

# --- scope ----------------------------------------------------------------------------


@dataclass
class Scope:
    """What a signed-in user may see in the dashboards."""

    user: object
    workers: QuerySet
    agencies: QuerySet
    agency: object = None  # set for agency staff
    branch: object = None  # set for a branch-limited staff member
    district: str = ""  # set for a district regulator
    is_regulator: bool = False

    @property
    def is_agency_staff(self) -> bool:
        return self.agency is not None

    def branches(self) -> QuerySet[Branch]:
        if self.branch is not None:
            return Branch.objects.filter(pk=self.branch.pk)
        if self.agency is not None:
            return Branch.objects.filter(agency=self.agency).order_by("name")
        return Branch.objects.filter(agency__in=self.agencies).order_by("agency__name", "name")


def scope_for(user) -> Scope | None:
    """The user's dashboard scope, or None when they have no business here."""
    if user is None or not user.is_authenticated:
        return None
    membership = agency_staff_for_user(user)
    if membership is not None:
        return Scope(
            user=user,
            workers=workers_visible_to(user),
            agencies=agencies_visible_to(user),
            agency=membership.agency,
            branch=membership.branch,
        )
    if user_is_regulator(user):
        district = regulator_district_for_user(user) or ""
        if not district and not user_sees_all_workers(user):
            # A district regulator without a district on file sees nothing.
            return None
        return Scope(
            user=user,
            workers=workers_visible_to(user),
            agencies=agencies_visible_to(user),
            district=district,
            is_regulator=True,
        )
    return None


# --- funnel -----------------------------------------------------------------------------

FUNNEL_STAGES = [
    ("filed", _("已备案")),
    ("approved", _("已登记")),
    ("enrolled", _("已报名")),
    ("completed", _("已学完")),
    ("passed", _("考试通过")),
    ("certified", _("持有效证书")),
]


def funnel_figures(*, today=None, within: QuerySet | None = None) -> dict:
    """One aggregate per funnel stage over worker rows (subqueries, no joins that
    multiply rows). With `within` (the workers asked about) each subquery looks
    only at their rows: PostgreSQL may then hash one agency's enrolments rather
    than the whole city's.

    The training and certificate stages are the courses' and certificates' own
    figures (``learner_figures``, ``holder_figures``), the very expressions their
    home panels show, so a stage and the panel beside it cannot disagree.
    """
    today = today or timezone.localdate()
    learners = course_selectors.learner_figures(within)
    # A worker who moved agencies has older filings too; only the current one counts.
    current_filings = Filing.objects.filter(worker=OuterRef("pk"), is_current=True)
    return {
        "filed": Count("pk", filter=Q(Exists(current_filings))),
        "approved": Count(
            "pk", filter=Q(Exists(current_filings.filter(status=FilingStatus.APPROVED)))
        ),
        "enrolled": learners["enrolled"],
        "completed": learners["completed"],
        "passed": Count("pk", filter=Q(exam_selectors.passed_condition(within))),
        **certificate_stats.holder_figures(today, within),
    }


def funnel(workers: QuerySet, *, today=None) -> list[dict]:
    """The certification funnel: each stage counts the workers who meet it today.

    A stage is not narrowed to the workers who met every stage before it: a
    worker holding a valid certificate counts as such even when, say, the
    certificate predates the platform's courses. The stage then shows the same
    number as the panel that lists those workers. One query.
    """
    counts = workers.order_by().aggregate(**funnel_figures(today=today, within=workers))
    top = counts["filed"]
    return [
        {
            "key": key,
            "label": str(label),
            "count": counts[key],
            "percent": round(counts[key] * 100 / top) if top else 0,
        }
        for key, label in FUNNEL_STAGES
    ]


CERTIFICATE_LABELS = {
    "valid": _("有效"),
    "expired": _("已过期"),
    "revoked": _("已撤销"),
}

# --- the progress report ---------------------------------------------------------------------


def report_queryset(workers: QuerySet, *, today=None) -> QuerySet[Worker]:
    """One row per worker with the columns of the progress report, as annotations."""
    filing = Filing.objects.filter(worker=OuterRef("pk"), is_current=True)
    qs = workers.select_related("branch", "agency").annotate(
        filing_status=Subquery(filing.values("status")[:1]),
        filing_reason=Subquery(filing.values("reason")[:1]),
    )
    qs = exam_selectors.annotate_exam_state(qs)
    qs = certificate_stats.annotate_certificate(qs, today=today)
    return qs


def decorate_rows(rows: list[Worker], *, today=None) -> list[Worker]:
    """Adds per-row details that are lists (course progress) or come from other
    selectors (door status, insurance); a fixed number of queries per call."""
    today = today or timezone.localdate()
    ids = [w.pk for w in rows]
    progress = course_selectors.enrolment_progress(ids)
    subset = Worker.objects.filter(pk__in=ids)
    doors = door.door_status_for_workers(subset) if ids else {}
    insurance = insurance_expiry_for_workers(subset) if ids else {}
    for w in rows:
        w.courses = progress.get(w.pk, [])
        w.certificate_status = certificate_stats.annotated_certificate_status(w, today=today)
        w.certificate_label = str(CERTIFICATE_LABELS.get(w.certificate_status, ""))
        w.attempts_left = (
            max(w.attempts_allowed - w.attempts_used, 0) if w.last_exam_id is not None else None
        )
        status = doors.get(w.pk)
        w.door_colour = status.colour if status else ""
        w.door_label = door.short_label(w.door_colour)
        w.door_reasons = list(status.reasons) if status else []
        w.insurance_expiry = insurance.get(w.pk)
    return rows


def iter_decorated(queryset: QuerySet, *, chunk: int = 500, today=None):
    """Every row of `queryset`, decorated, in chunks (for exports)."""
    batch: list = []
    for worker in queryset.iterator(chunk_size=chunk):
        batch.append(worker)
        if len(batch) >= chunk:
            yield from decorate_rows(batch, today=today)
            batch = []
    if batch:
        yield from decorate_rows(batch, today=today)


# --- one worker -------------------------------------------------------------------------------


def _at(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def worker_timeline(worker: Worker) -> list[dict]:
    """Everything about one worker, newest first: filing steps, enrolments and lesson
    completions, attempts, certificates, employment, visits and ratings, credit records."""
    events: list[dict] = []
    labels = dict(FilingStatus.choices)
    for t in filing_transitions_of(worker):
        events.append(
            {
                "at": t.at,
                "kind": "filing",
                "title": _("备案：%(from)s → %(to)s")
                % {"from": labels.get(t.from_status, "—"), "to": labels.get(t.to_status, "")},
                "detail": t.reason,
            }
        )
    for e in course_selectors.enrolments_for_worker(worker):
        events.append(
            {
                "at": e.enrolled_at,
                "kind": "course",
                "title": _("报名课程《%(course)s》") % {"course": e.course.title},
                "detail": "",
            }
        )
        if e.completed_at:
            events.append(
                {
                    "at": e.completed_at,
                    "kind": "course",
                    "title": _("学完课程《%(course)s》") % {"course": e.course.title},
                    "detail": "",
                }
            )
    for p in course_selectors.lesson_completions_of(worker):
        events.append(
            {
                "at": p.completed_at,
                "kind": "lesson",
                "title": _("完成课时《%(lesson)s》") % {"lesson": p.lesson.title},
                "detail": p.enrolment.course.title,
            }
        )
    for a in exam_selectors.attempts_of_worker(worker=worker):
        if a.passed is None:
            result = _("作答中") if not a.is_finished else _("待评分")
        else:
            result = _("通过") if a.passed else _("未通过")
        events.append(
            {
                "at": a.submitted_at or a.started_at,
                "kind": "exam",
                "title": _("《%(exam)s》第 %(n)s 次考试：%(result)s")
                % {"exam": a.exam.title, "n": a.number, "result": result},
                "detail": _("得分 %(score)s") % {"score": a.percent}
                if a.percent is not None
                else "",
            }
        )
    for c in certificates_for_worker(worker):
        events.append(
            {
                "at": _at(c.issued_on),
                "kind": "certificate",
                "title": _("获发证书 %(number)s（%(type)s）")
                % {"number": c.number, "type": c.type.name},
                "detail": _("有效期至 %(date)s") % {"date": c.expires_on.isoformat()},
            }
        )
        if c.revoked_at:
            events.append(
                {
                    "at": c.revoked_at,
                    "kind": "certificate",
                    "title": _("证书 %(number)s 被撤销") % {"number": c.number},
                    "detail": c.revoked_reason,
                }
            )
    for emp in worker_employment_history(worker):
        events.append(
            {
                "at": _at(emp.start_date),
                "kind": "employment",
                "title": _("入职 %(agency)s") % {"agency": emp.agency.name},
                "detail": emp.service_category.name if emp.service_category else "",
            }
        )
        if emp.end_date:
            events.append(
                {
                    "at": _at(emp.end_date),
                    "kind": "employment",
                    "title": _("离开 %(agency)s") % {"agency": emp.agency.name},
                    "detail": "",
                }
            )
    for r in credit_records_of_worker(worker):
        events.append(
            {
                "at": _at(r.occurred_on),
                "kind": "credit",
                "title": _("信用记录：%(kind)s") % {"kind": r.get_kind_display()},
                "detail": r.description,
            }
        )
    for v in service_visits_of_worker(worker):
        detail = _("评分 %(rating)s") % {"rating": v.rating} if v.rating else ""
        events.append(
            {
                "at": v.confirmed_at,
                "kind": "visit",
                "title": _("上门服务（%(household)s）") % {"household": v.household_label},
                "detail": detail,
            }
        )
    for reminder in Reminder.objects.filter(worker=worker):
        events.append(
            {
                "at": reminder.created_at,
                "kind": "reminder",
                "title": _("已提醒：%(reason)s") % {"reason": reminder.get_reason_display()},
                "detail": "",
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return events
