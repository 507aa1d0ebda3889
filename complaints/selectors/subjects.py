"""What a new complaint names, resolved from where it came from.

A complaint names only the worker and agency of the visit whose rating link the
household holds, or the worker whose card number, or the agency whose credit
code, the household typed: never a worker chosen any other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lms.masking import mask_name
from registry.models import Agency, District, ServiceVisit, Worker
from registry.selectors.visits import visit_for_rating_token
from registry.selectors.workers import worker_current_employment

from ..models import Complaint


@dataclass(frozen=True)
class ComplaintSubject:
    """Whom a complaint is about and where it is handled; shown masked on public pages."""

    origin: str
    district: str
    worker: Worker | None = None
    agency: Agency | None = None
    visit: ServiceVisit | None = None

    @property
    def worker_label(self) -> str:
        return mask_name(self.worker.name) if self.worker else ""

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency else ""

    @property
    def district_label(self) -> str:
        return str(District(self.district).label) if self.district else ""


def _agency_of(worker: Worker) -> Agency | None:
    employment = worker_current_employment(worker)
    return employment.agency if employment is not None else worker.agency


def subject_from_visit_token(token: str) -> ComplaintSubject | None:
    """The visit behind a household's rating link, its worker and that worker's agency;
    handled by the district where the service took place. None for an unknown link."""
    visit = visit_for_rating_token(token)
    if visit is None:
        return None
    agency = _agency_of(visit.worker)
    return ComplaintSubject(
        origin=Complaint.Origin.VISIT,
        district=visit.district,
        worker=visit.worker,
        agency=agency,
        visit=visit,
    )


def subject_from_card_number(card_number: str) -> ComplaintSubject | None:
    """The worker holding a card number (and their agency), or None."""
    card_number = (card_number or "").strip().upper()
    if not card_number or len(card_number) > 32:
        return None
    worker = (
        Worker.objects.select_related("agency")
        .defer("id_number_encrypted")
        .filter(card_number=card_number)
        .first()
    )
    if worker is None:
        return None
    agency = _agency_of(worker)
    return ComplaintSubject(
        origin=Complaint.Origin.WORKER,
        district=agency.district if agency else "",
        worker=worker,
        agency=agency,
    )


def subject_from_credit_code(credit_code: str) -> ComplaintSubject | None:
    """The agency with a unified social credit code, or None."""
    credit_code = (credit_code or "").strip().upper()
    if len(credit_code) != 18:
        return None
    agency = Agency.objects.filter(credit_code=credit_code).first()
    if agency is None:
        return None
    return ComplaintSubject(origin=Complaint.Origin.AGENCY, district=agency.district, agency=agency)


#: Shown when a lookup finds nobody; the same words for a card number and a credit code.
NOT_FOUND = _("没有找到这个家政卡号或统一社会信用代码，请核对后再试。")
