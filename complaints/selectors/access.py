"""Who sees which complaints: the district regulator those of their district, city
regulators all of them, an agency's staff those about their agency; nobody else any."""

from __future__ import annotations

from django.db.models import F, QuerySet

from registry.selectors.access import (
    agency_staff_for_user,
    regulator_district_for_user,
    user_is_regulator,
    user_sees_all_workers,
)

from ..models import Complaint


def complaints_handled_by(user) -> QuerySet[Complaint]:
    """Complaints a regulator handles: their district's, or all for the city and superusers."""
    if not user_is_regulator(user):
        return Complaint.objects.none()
    district = regulator_district_for_user(user)
    if district:
        return Complaint.objects.filter(district=district)
    if user_sees_all_workers(user):
        return Complaint.objects.all()
    return Complaint.objects.none()


def complaints_of_agency(user) -> QuerySet[Complaint]:
    """Complaints about the signed-in agency staff member's agency (none for anyone else)."""
    membership = agency_staff_for_user(user)
    if membership is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(agency_id=membership.agency_id)


def complaint_queue(user, *, status: str = "") -> QuerySet[Complaint]:
    """The regulator's queue: open complaints first, the nearest deadline first."""
    qs = complaints_handled_by(user).select_related("worker", "agency")
    if status == "open":
        qs = qs.exclude(status=Complaint.Status.CLOSED)
    elif status in Complaint.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by(F("closed_at").asc(nulls_first=True), "due_on", "pk")
