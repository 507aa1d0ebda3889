"""The household's status page: a complaint found by its number and the phone's last
four digits, with what the household may read (never an internal note or the
agency's answer), every person masked."""

from __future__ import annotations

import datetime
import hmac
import re
from dataclasses import dataclass

from django.utils import timezone

from lms.masking import mask_name

from ..models import Complaint, ComplaintEvent

NUMBER_RE = re.compile(r"^TS-\d{4}-\d{6}$")

#: The steps the household sees; the agency's answer is for the regulator.
PUBLIC_EVENT_KINDS = (
    ComplaintEvent.Kind.RECEIVED,
    ComplaintEvent.Kind.INVESTIGATING,
    ComplaintEvent.Kind.CLOSED,
)


@dataclass(frozen=True)
class PublicStep:
    """One step of the handling as the household reads it."""

    label: str
    reason: str
    at: datetime.datetime


@dataclass(frozen=True)
class TrackedComplaint:
    """A complaint as its household sees it on the status page."""

    number: str
    status: str
    status_label: str
    outcome_label: str
    outcome_reason: str
    category_label: str
    district_label: str
    worker_label: str
    agency_label: str
    phone_masked: str
    received_at: datetime.datetime
    due_on: datetime.date
    closed_at: datetime.datetime | None
    steps: tuple[PublicStep, ...]

    @property
    def is_closed(self) -> bool:
        return self.status == Complaint.Status.CLOSED


def normalize_number(number: str) -> str:
    return (number or "").strip().upper()


def complaint_for_tracking(number: str, phone_last4: str) -> TrackedComplaint | None:
    """The complaint with this number whose phone ends in `phone_last4`, or None.

    A wrong number and a wrong tail give the same None (and cost one query each).
    """
    number = normalize_number(number)
    phone_last4 = (phone_last4 or "").strip()
    if not NUMBER_RE.match(number) or not re.fullmatch(r"\d{4}", phone_last4):
        return None
    complaint = (
        Complaint.objects.select_related("worker", "agency")
        .defer("phone_encrypted", "description", "agency_answer")
        .filter(number=number)
        .first()
    )
    if complaint is None or not hmac.compare_digest(complaint.phone_masked[-4:], phone_last4):
        return None
    events = ComplaintEvent.objects.filter(complaint=complaint, kind__in=PUBLIC_EVENT_KINDS).only(
        "kind", "reason", "at"
    )
    return TrackedComplaint(
        number=complaint.number,
        status=complaint.status,
        status_label=complaint.get_status_display(),
        outcome_label=complaint.get_outcome_display() if complaint.outcome else "",
        outcome_reason=complaint.outcome_reason,
        category_label=complaint.get_category_display(),
        district_label=complaint.get_district_display(),
        worker_label=mask_name(complaint.worker.name) if complaint.worker else "",
        agency_label=complaint.agency.name if complaint.agency else "",
        phone_masked=complaint.phone_masked,
        received_at=timezone.localtime(complaint.received_at),
        due_on=complaint.due_on,
        closed_at=complaint.closed_at,
        steps=tuple(
            PublicStep(label=e.get_kind_display(), reason=e.reason, at=timezone.localtime(e.at))
            for e in events
        ),
    )
