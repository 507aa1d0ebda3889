"""The regulators' live statistics, kept fresh in the cache.

Aggregating the whole city (300,000 workers and their enrolments, attempts,
certificates and credit records) takes the database several seconds, far
too long to repeat for every page view. So the figures of each level (the
city, one district, one agency) are computed in the database and kept in
the cache (Redis in production):

* an entry younger than ``DASHBOARDS_LIVE_SECONDS`` (5 minutes by default)
  is served as it is;
* an older one is still served at once, while a Celery task recomputes it in
  the background (at most one refresh per level at a time); an entry is
  never served once older than ``DASHBOARDS_LIVE_MAX_AGE`` (1 hour);
* a periodic task refreshes the city level before it goes stale, so the
  city dashboard is never computed inside a request;
* "刷新" (``?refresh=1``) recomputes on the spot.

Every page says when its figures were computed. Levels are keyed by what
they cover, not by who looks: a district regulator and the city regulator
looking at the same district see the same rows (``registry.selectors.
access.workers_visible_to`` gives both exactly the district's workers).
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from registry.models import Agency, Worker

from . import figures


def fresh_seconds() -> int:
    """Seconds an entry is served as it is (``DASHBOARDS_LIVE_SECONDS``, 5 minutes)."""
    return int(getattr(settings, "DASHBOARDS_LIVE_SECONDS", 300))


def max_age_seconds() -> int:
    """Seconds after which an entry is never served (``DASHBOARDS_LIVE_MAX_AGE``, 1 hour)."""
    return max(int(getattr(settings, "DASHBOARDS_LIVE_MAX_AGE", 3600)), fresh_seconds())


def rows_of(level: str, code) -> tuple:
    """(workers, agencies, group) a level covers, for anyone allowed to see it."""
    if level == "city":
        return Worker.objects.all(), Agency.objects.all(), "district"
    if level == "district":
        return (
            Worker.objects.filter(agency__district=code),
            Agency.objects.filter(district=code),
            "agency",
        )
    if level == "agency":
        return Worker.objects.filter(agency_id=code), Agency.objects.filter(pk=code), "agency"
    raise ValueError(f"unknown level {level!r}")


def _key(level: str, code, today: datetime.date) -> str:
    return f"dashboards:live:{level}:{code or ''}:{today.isoformat()}"


def compute(level: str, code="", *, today=None) -> dict:
    """Aggregate the level now and store it; returns the entry."""
    today = today or timezone.localdate()
    workers, agencies, group = rows_of(level, code)
    entry = {
        "overview": figures.supervision_overview(workers, agencies, group=group, today=today),
        "computed_at": timezone.now(),
        "at": time.time(),
    }
    cache.set(_key(level, code, today), entry, max_age_seconds())
    cache.delete(_key(level, code, today) + ":refreshing")
    return entry


def entry_for(level: str, code="", *, refresh: bool = False, today=None) -> dict:
    """The level's figures: from the cache when fresh enough, else recomputed.

    Returns ``{"overview": …, "computed_at": datetime}``, the overview as
    :func:`dashboards.selectors.figures.supervision_overview` builds it.
    """
    today = today or timezone.localdate()
    key = _key(level, code, today)
    entry = None if refresh else cache.get(key)
    if entry is None or time.time() - entry["at"] > max_age_seconds():
        entry = compute(level, code, today=today)
    elif time.time() - entry["at"] > fresh_seconds() and cache.add(key + ":refreshing", 1, 300):
        # Stale: served as it is, while one background task recomputes it.
        from ..tasks import live_refresh

        live_refresh.delay(level, str(code or ""))
    return {"overview": entry["overview"], "computed_at": entry["computed_at"]}
