"""What the public may see of a worker or an agency: masked, plain data built from registry rows.

Public templates receive only these dataclasses, never model instances, so
a template cannot reach a worker's full name, ID number or phone by accident.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.masking import mask_name, mask_tail
from registry.models import Agency, District, FilingStatus, Worker
from registry.selectors.credit import agency_credit_standing, worker_credit_standing
from registry.selectors.filings import worker_filing_status
from registry.selectors.lookups import agency_filed_worker_count
from registry.selectors.workers import worker_current_employment, worker_employment_history


@dataclass(frozen=True)
class PublicRecord:
    """One public credit record as households see it (kind, date, source; no internal notes)."""

    kind: str
    kind_label: str
    occurred_on: datetime.date
    source: str
    description: str
    expires_on: datetime.date | None


@dataclass(frozen=True)
class PublicEmployment:
    """One employment on the public record: the agency and the period."""

    agency_name: str
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass(frozen=True)
class PublicWorker:
    """What the public lookup may show of a worker; names, card and ID are masked."""

    masked_name: str
    masked_card: str
    thumbnail_url: str
    filing_status: str
    filing_label: str
    filing_css: str
    current_agency: str
    employments: list[PublicEmployment]
    health_label: str
    health_css: str
    standing_level: str
    standing_label: str
    standing_css: str
    records: list[PublicRecord]
    #: The door status (green / yellow / red with reasons) when an app computes it.
    door: object = None
    visit_count: int = 0
    average_rating: float | None = None
    comments: tuple = ()


@dataclass(frozen=True)
class PublicVisit:
    """A visit as its household sees it on the rating page: the worker masked."""

    worker_name: str
    service_label: str
    service_date: datetime.date
    district_label: str


def public_visit(visit) -> PublicVisit:
    """The masked view of a visit for its household's rating page."""
    return PublicVisit(
        worker_name=mask_name(visit.worker.name),
        service_label=visit.service_category.name if visit.service_category_id else "",
        service_date=visit.service_date,
        district_label=str(visit.get_district_display()),
    )


@dataclass(frozen=True)
class PublicAgency:
    """What the public lookup may show of an agency: its filing, credit standing and filed workers."""

    name: str
    credit_code: str
    district: str
    filing_label: str
    filing_css: str
    is_demonstration_station: bool
    demonstration_year: int | None
    filed_workers: int
    standing_level: str
    standing_label: str
    standing_css: str
    records: list[PublicRecord]


_FILING_CSS = {
    FilingStatus.APPROVED: "ok",
    FilingStatus.WITHDRAWN: "bad",
    FilingStatus.REJECTED: "bad",
    FilingStatus.RETURNED: "warn",
}


def _records(standing) -> list[PublicRecord]:
    return [
        PublicRecord(
            kind=r.kind,
            kind_label=str(r.get_kind_display()),
            occurred_on=r.occurred_on,
            source=r.source,
            description=r.description,
            expires_on=r.expires_on,
        )
        for r in standing.records
    ]


def _health(worker: Worker, today) -> tuple[str, str]:
    if not worker.health_check_expiry:
        return _("未提供体检信息"), "neutral"
    if worker.health_check_expiry >= today:
        return _("体检有效（至 %(date)s）") % {"date": worker.health_check_expiry.isoformat()}, "ok"
    return _("体检已过期（%(date)s）") % {"date": worker.health_check_expiry.isoformat()}, "bad"


def public_worker(
    worker: Worker, *, today=None, door=None, visits=None, comments=()
) -> PublicWorker:
    """The masked view of a worker for the traceability lookup (uses prefetched relations).

    `door` is the door status, `visits` the 12-month
    :class:`registry.selectors.visits.VisitSummary` and `comments` the approved
    comments, when the caller has them.
    """
    today = today or timezone.localdate()
    status = worker_filing_status(worker) or FilingStatus.SUBMITTED
    current = worker_current_employment(worker)
    standing = worker_credit_standing(worker, public_only=True, today=today)
    health_label, health_css = _health(worker, today)
    agency_name = (
        current.agency.name if current else (worker.agency.name if worker.agency_id else "")
    )
    return PublicWorker(
        masked_name=mask_name(worker.name),
        masked_card=mask_tail(worker.card_number or "", keep=4),
        thumbnail_url=worker.photo_thumbnail.url if worker.photo_thumbnail else "",
        filing_status=status,
        filing_label=str(FilingStatus(status).label),
        filing_css=_FILING_CSS.get(status, "neutral"),
        current_agency=agency_name if status == FilingStatus.APPROVED else "",
        employments=[
            PublicEmployment(
                agency_name=e.agency.name, start_date=e.start_date, end_date=e.end_date
            )
            for e in worker_employment_history(worker)
        ],
        health_label=health_label,
        health_css=health_css,
        standing_level=standing.level,
        standing_label=standing.label,
        standing_css=standing.css,
        records=_records(standing),
        door=door,
        visit_count=visits.visits if visits else 0,
        average_rating=visits.average_rating if visits else None,
        comments=tuple(comments),
    )


def public_agency(agency: Agency, *, today=None) -> PublicAgency:
    """The public view of an agency for the credit lookup."""
    standing = agency_credit_standing(agency, public_only=True, today=today)
    return PublicAgency(
        name=agency.name,
        credit_code=agency.credit_code,
        district=str(District(agency.district).label) if agency.district else "",
        filing_label=str(FilingStatus(agency.filing_status).label),
        filing_css=_FILING_CSS.get(agency.filing_status, "neutral"),
        is_demonstration_station=agency.is_demonstration_station,
        demonstration_year=agency.demonstration_year,
        filed_workers=agency_filed_worker_count(agency),
        standing_level=standing.level,
        standing_label=standing.label,
        standing_css=standing.css,
        records=_records(standing),
    )
