"""The agency workspace's complaints panel (added from ``wagtail_hooks``)."""

from __future__ import annotations

from django.utils import timezone

from registry.panels import AgencyPanel

from .models import Complaint
from .selectors.access import complaints_of_agency


class AgencyComplaintsPanel(AgencyPanel):
    """Households' complaints about the agency that are still open, the answer date first."""

    name = "complaints_agency"
    order = 150
    template_name = "complaints/panels/agency.html"

    def panel_context(self) -> dict:
        open_ = (
            complaints_of_agency(self.membership.user)
            .exclude(status=Complaint.Status.CLOSED)
            .select_related("worker")
            .order_by("agency_answer_due_on", "pk")
        )
        return {"complaints": open_[:8], "open_count": open_.count(), "today": timezone.localdate()}
