"""The agency workspace's home panels (issue #10).

Each app adds its own panel to the Wagtail admin home from its own
``wagtail_hooks.py`` (``construct_homepage_panels``), reading only its own
selectors, so no lower app imports a higher one. This module gives them what
they share (the signed-in staff member's agency scope) and holds the
registry's own panel. Every panel links a worker to the registry's worker
page, ``registry_admin:worker_detail``.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone

from wagtail.admin.ui.components import Component

from registry.selectors.access import agency_staff_for_user, workers_of_membership
from registry.selectors.statistics import complaints_since
from registry.selectors.visits import latest_ratings

from .models import Agency, Filing, FilingStatus

#: Rows shown in each list of a panel.
LIST_LIMIT = 8


class AgencyPanel(Component):
    """A panel of the agency workspace, scoped to the member's agency (and branch)."""

    #: Marks the workspace's panels among Wagtail's own.
    agency_panel = True
    order = 100

    def __init__(self, membership):
        self.membership = membership

    @cached_property
    def workers(self):
        return workers_of_membership(self.membership)

    def panel_context(self) -> dict:
        raise NotImplementedError

    def get_context_data(self, parent_context=None):
        return {"panel": self, "limit": LIST_LIMIT, **self.panel_context()}


def add_agency_panel(request, panels, panel_class) -> None:
    """Append `panel_class` for agency staff (nothing for anyone else)."""
    membership = agency_staff_for_user(getattr(request, "user", None))
    if membership is not None:
        panels.append(panel_class(membership))


class FilingsPanel(AgencyPanel):
    """Filings sent back for correction, health checks running out, complaints, ratings."""

    name = "registry_agency"
    order = 110
    template_name = "registry/panels/agency.html"

    def panel_context(self) -> dict:
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=30)
        returned = (
            Filing.objects.filter(
                worker__in=self.workers.values("pk"), status=FilingStatus.RETURNED
            )
            .select_related("worker")
            .order_by("updated_at", "pk")
        )
        agencies = Agency.objects.filter(pk=self.membership.agency_id)
        return {
            "returned_count": returned.count(),
            "returned_filings": list(returned[:LIST_LIMIT]),
            "health_counts": self.workers.aggregate(
                expired=Count("pk", filter=Q(health_check_expiry__lt=today)),
                expiring_30=Count(
                    "pk", filter=Q(health_check_expiry__gte=today, health_check_expiry__lte=soon)
                ),
                missing=Count("pk", filter=Q(health_check_expiry__isnull=True)),
            ),
            "expiring_health": list(
                self.workers.filter(health_check_expiry__lte=soon)
                .only("pk", "name", "health_check_expiry")
                .order_by("health_check_expiry", "pk")[:LIST_LIMIT]
            ),
            "complaints": list(
                complaints_since(self.workers, agencies, today - datetime.timedelta(days=90))[
                    :LIST_LIMIT
                ]
            ),
            "ratings": latest_ratings(self.workers, LIST_LIMIT),
        }
