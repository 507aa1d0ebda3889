"""What the early-warning rules (``dashboards.rules``) and the warning pages read.

A rule reads its data here, or in the selectors of the app that owns the data:

* ``registry.selectors.statistics``: blacklisted workers still employed, filings
  waiting for review;
* ``exams.selectors``: attempts from one address, identical answer sheets;
* ``certificates.selectors.statistics``: service visits after a certificate lapsed;
* here: the workers and agencies a finding names, the agencies over the complaint
  limit, the valid-certificate share of registered workers, the open warnings a run
  did not find again, and the warnings a regulator may see.

The rules read the whole city: they run in Celery, never for a signed-in user.
"""

from __future__ import annotations

from django.db.models import QuerySet

from certificates.selectors.statistics import valid_share_by
from registry.models import Agency, FilingStatus, Worker
from registry.selectors.statistics import agency_complaint_counts

from ..models import SupervisionWarning

#: A warning is open until resolved: acknowledged ones are still being looked into.
OPEN_STATUSES = [SupervisionWarning.Status.OPEN, SupervisionWarning.Status.ACKNOWLEDGED]


def workers_with_agency(ids) -> dict[int, Worker]:
    """The workers `ids` with their agency, by id, city-wide (rules only)."""
    return {w.pk: w for w in Worker.objects.filter(pk__in=ids).select_related("agency")}


def agencies_over_complaint_limit(*, since, limit: int) -> QuerySet[Agency]:
    """Agencies with more than `limit` complaints since `since`, each with ``complaints``,
    city-wide (rules only)."""
    return agency_complaint_counts(Agency.objects.all(), since=since).filter(complaints__gt=limit)


def valid_share_by_agency(*, today) -> list[dict]:
    """Per agency: registered workers (current filing approved) and the holders of a valid
    certificate among them, city-wide (rules only)."""
    registered = Worker.objects.filter(
        filings__is_current=True, filings__status=FilingStatus.APPROVED
    )
    return valid_share_by(registered, "agency_id", today=today)


def agencies_named(ids) -> QuerySet[Agency]:
    """The agencies `ids`, with only what a finding names (rules only)."""
    return Agency.objects.filter(pk__in=list(ids)).only("pk", "name", "district")


def open_warnings_not_seen(rule: str, seen) -> QuerySet[SupervisionWarning]:
    """Open warnings of `rule` whose cause a run did not find again (`seen`: the subject keys
    it found); demonstration warnings (seed_demo) have no cause to re-check and are left."""
    return (
        SupervisionWarning.objects.filter(rule=rule, status__in=OPEN_STATUSES)
        .exclude(subject_key__in=seen)
        .exclude(subject_key__startswith="demo:")
    )


def warnings_for(scope, *, district: str = "", agency=None) -> QuerySet[SupervisionWarning]:
    """The warnings `scope` may see (a district regulator: their district's only), narrowed to
    the page's `district` or `agency`: a city regulator on one district's page counts that
    district's, not the city's."""
    qs = SupervisionWarning.objects.select_related("agency", "worker")
    if scope.district:
        qs = qs.filter(district=scope.district)
    if district:
        qs = qs.filter(district=district)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs
