"""The worker's full record (完整档案), opened by the worker's consent.

Built as plain data from the other apps' selectors, so the template never
holds a model instance: the full ID number and phone are never on it (age
and native province are derived from the ID here; the household's contact
on a visit is left out).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.selectors.records import certificates_for_worker
from complaints.selectors.record import complaints_about_worker
from courses.selectors import enrolments_for_worker
from exams.selectors import attempts_of_worker
from lms.validators import id_birth_province
from registry.models import CreditRecord, Worker
from registry.selectors.visits import service_visits_of_worker
from registry.selectors.workers import worker_employment_history

#: Ratings shown on the full record (newest first).
RATINGS_SHOWN = 50


@dataclass(frozen=True)
class RecordRow:
    """One line of a section: a title, its dates and notes, and a status class."""

    title: str
    detail: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    status: str = ""
    css: str = "neutral"


@dataclass(frozen=True)
class FullRecord:
    """What a viewer with the worker's consent sees. No ID number, no phone."""

    worker_id: int
    full_name: str
    has_photo: bool
    age: int | None
    sex_label: str
    native_province: str
    card_number: str
    current_agency: str
    employments: list[RecordRow] = field(default_factory=list)
    courses: list[RecordRow] = field(default_factory=list)
    exams: list[RecordRow] = field(default_factory=list)
    certificates: list[RecordRow] = field(default_factory=list)
    health: RecordRow | None = None
    insurances: list[RecordRow] = field(default_factory=list)
    ratings: list[RecordRow] = field(default_factory=list)
    credit_records: list[RecordRow] = field(default_factory=list)
    complaints: list[RecordRow] = field(default_factory=list)


def _age(birth: datetime.date | None, today: datetime.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _employments(employments) -> list[RecordRow]:
    return [
        RecordRow(
            title=e.agency.name,
            detail=" · ".join(
                part
                for part in (
                    e.branch.name if e.branch_id else "",
                    e.service_category.name if e.service_category_id else "",
                )
                if part
            ),
            start=e.start_date,
            end=e.end_date,
            status=_("在职") if e.end_date is None else _("已离职"),
            css="ok" if e.end_date is None else "neutral",
        )
        for e in employments
    ]


def _courses(worker) -> list[RecordRow]:
    rows = []
    for enrolment in enrolments_for_worker(worker):
        done = enrolment.completed_at
        rows.append(
            RecordRow(
                title=enrolment.course.title,
                start=timezone.localdate(enrolment.enrolled_at),
                end=timezone.localdate(done) if done else None,
                status=_("已完成") if done else _("学习中"),
                css="ok" if done else "neutral",
            )
        )
    return rows


def _exams(worker) -> list[RecordRow]:
    rows = []
    for attempt in attempts_of_worker(worker=worker).filter(submitted_at__isnull=False):
        score = f"{attempt.score:g} / {attempt.max_score:g}" if attempt.score is not None else ""
        rows.append(
            RecordRow(
                title=attempt.exam.title,
                detail=score,
                start=timezone.localdate(attempt.submitted_at),
                status=_("通过") if attempt.passed else _("未通过"),
                css="ok" if attempt.passed else "bad",
            )
        )
    return rows


def _certificates(worker, today) -> list[RecordRow]:
    rows = []
    for cert in certificates_for_worker(worker):
        status = cert.status_on(today)
        rows.append(
            RecordRow(
                title=cert.type.name,
                detail=_("证书编号 %(number)s") % {"number": cert.number},
                start=cert.issued_on,
                end=cert.expires_on,
                status=str(cert.Status(status).label),
                css={"valid": "ok", "revoked": "bad"}.get(status, "warn"),
            )
        )
    return rows


def _health(worker, today) -> RecordRow:
    expiry = worker.health_check_expiry
    if not expiry:
        return RecordRow(title=_("体检"), status=_("未提供体检信息"))
    valid = expiry >= today
    return RecordRow(
        title=_("体检"),
        start=worker.health_check_date,
        end=expiry,
        status=_("有效") if valid else _("已过期"),
        css="ok" if valid else "bad",
    )


def _insurances(worker, today) -> list[RecordRow]:
    rows = []
    for insurance in sorted(worker.prefetched_insurances, key=lambda i: i.end_date, reverse=True):
        covering = insurance.start_date <= today <= insurance.end_date
        rows.append(
            RecordRow(
                title=insurance.insurer,
                detail=_("保单号 %(number)s") % {"number": insurance.masked_policy_number},
                start=insurance.start_date,
                end=insurance.end_date,
                status=_("保障中") if covering else _("不在保障期"),
                css="ok" if covering else "neutral",
            )
        )
    return rows


def _ratings(worker) -> list[RecordRow]:
    # Stars once not rejected; the comment only once a regulator approved it. The
    # household's contact on the visit is not part of the worker's record.
    return [
        RecordRow(
            title=item.service_label or _("上门服务"),
            detail=item.comment,
            start=item.service_date,
            status="★" * item.rating,
            css="ok" if item.rating >= 4 else "warn" if item.rating >= 3 else "bad",
        )
        for item in service_visits_of_worker(worker, limit=RATINGS_SHOWN)
        if item.rating
    ]


def _credit_records(worker) -> list[RecordRow]:
    return [
        RecordRow(
            title=str(record.get_kind_display()),
            detail=f"{record.source}：{record.description}",
            start=record.occurred_on,
            end=record.expires_on,
            css="ok" if record.kind == CreditRecord.Kind.COMMENDATION else "warn",
        )
        for record in sorted(
            worker.prefetched_public_records, key=lambda r: r.occurred_on, reverse=True
        )
    ]


def _complaints(worker) -> list[RecordRow]:
    # What was complained of and how it ended; the household's own words stay theirs.
    return [
        RecordRow(
            title=item.category_label,
            detail=item.outcome_label,
            start=item.received_on,
            end=item.closed_on,
            status=item.status_label,
            css="bad" if item.upheld else "neutral",
        )
        for item in complaints_about_worker(worker.pk)
    ]


def full_record(worker_id: int, *, today=None) -> FullRecord | None:
    """The full record of one worker (a fixed number of queries), or None when there is none."""
    today = today or timezone.localdate()
    worker = (
        Worker.objects.select_related("agency")
        .prefetch_related(
            Prefetch("insurances", to_attr="prefetched_insurances"),
            Prefetch(
                "credit_records",
                queryset=CreditRecord.objects.filter(is_public=True),
                to_attr="prefetched_public_records",
            ),
        )
        .filter(pk=worker_id)
        .first()
    )
    if worker is None:
        return None
    return FullRecord(
        worker_id=worker.pk,
        full_name=worker.name,
        has_photo=bool(worker.photo_thumbnail or worker.photo),
        age=_age(worker.birth_date, today),
        sex_label=str(worker.get_sex_display()),
        native_province=id_birth_province(worker.id_number),
        card_number=worker.card_number or "",
        current_agency=worker.agency.name if worker.agency_id else "",
        employments=_employments(worker_employment_history(worker)),
        courses=_courses(worker),
        exams=_exams(worker),
        certificates=_certificates(worker, today),
        health=_health(worker, today),
        insurances=_insurances(worker, today),
        ratings=_ratings(worker),
        credit_records=_credit_records(worker),
        complaints=_complaints(worker),
    )


def photo_of_worker(worker_id: int):
    """The worker's photo file (thumbnail first) for a viewer with a grant, or None."""
    worker = Worker.objects.filter(pk=worker_id).only("photo", "photo_thumbnail").first()
    if worker is None:
        return None
    return worker.photo_thumbnail or worker.photo or None
