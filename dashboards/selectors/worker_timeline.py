"""Everything about one worker, newest first, for the worker page of the dashboards."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.selectors.records import certificates_for_worker
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from registry.models import FilingStatus, Worker
from registry.selectors.statistics import credit_records_of_worker, filing_transitions_of
from registry.selectors.visits import service_visits_of_worker
from registry.selectors.workers import worker_employment_history

from ..models import Reminder


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
