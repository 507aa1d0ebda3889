"""The courses' panel of the agency workspace on the admin home (see registry.panels)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from registry.panels import LIST_LIMIT, AgencyPanel

from . import selectors
from .models import Enrolment

#: Days without studying after which an unfinished learner is listed as stalled.
STALLED_DAYS = 14


class LearningPanel(AgencyPanel):
    """Who is learning, who finished lately, who stopped studying."""

    name = "courses_agency"
    order = 120
    template_name = "courses/panels/agency.html"

    def panel_context(self) -> dict:
        now = timezone.now()
        stalled_before = now - datetime.timedelta(days=STALLED_DAYS)
        enrolments = Enrolment.objects.filter(worker__in=self.workers.values("pk")).alias(
            last_seen=Coalesce("last_activity_at", "enrolled_at")
        )
        stalled = Q(completed_at__isnull=True, last_seen__lt=stalled_before)
        # Every figure counts workers (the funnel's unit); the list below names enrolments.
        recent = enrolments.aggregate(
            completed_30=Count(
                "worker",
                distinct=True,
                filter=Q(completed_at__gte=now - datetime.timedelta(days=30)),
            ),
            stalled=Count("worker", distinct=True, filter=stalled),
        )
        return {
            "stalled_days": STALLED_DAYS,
            "counts": {**selectors.learner_counts(self.workers), **recent},
            "stalled": list(
                enrolments.filter(stalled)
                .select_related("worker", "course")
                .only("pk", "worker__id", "worker__name", "course__title", "last_activity_at")
                .order_by("last_seen", "pk")[:LIST_LIMIT]
            ),
        }
