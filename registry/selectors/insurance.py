"""A worker's liability insurance: expiry per worker, the dates the door facts need."""

from __future__ import annotations

from django.db.models import Max, QuerySet
from django.utils import timezone

from registry.models import Insurance
from registry.selectors.access import user_sees_all_workers, workers_visible_to
from registry.selectors.common import worker_ids


def insurance_expiry_for_workers(workers, *, today=None) -> dict:
    """{worker_id: end date of the insurance covering today (or the last one), or None}."""
    today = today or timezone.localdate()
    rows = (
        Insurance.objects.filter(worker_id__in=worker_ids(workers), start_date__lte=today)
        .values("worker_id")
        .annotate(last_end=Max("end_date"))
    )
    found = {r["worker_id"]: r["last_end"] for r in rows}
    if isinstance(workers, QuerySet):
        ids = list(workers.values_list("pk", flat=True))
    else:
        ids = [w if isinstance(w, int) else w.pk for w in workers]
    return {pk: found.get(pk) for pk in ids}


def insurances_visible_to(user) -> QuerySet[Insurance]:
    """Insurances a user may see: those of the workers they may see."""
    qs = Insurance.objects.select_related("worker", "worker__agency", "entered_by")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


def insurance_dates(ids, today) -> dict[int, dict]:
    """{worker_id: {"until", "ended", "starts"}} from the workers' insurances, one query:
    the end of the insurance covering today, of the last one ended, the start of the next."""
    rows = Insurance.objects.filter(worker_id__in=ids).values_list(
        "worker_id", "start_date", "end_date"
    )
    insurance: dict[int, dict] = {}
    for worker_id, start, end in rows:
        item = insurance.setdefault(worker_id, {"until": None, "ended": None, "starts": None})
        if start <= today <= end:
            item["until"] = max(item["until"] or end, end)
        elif end < today:
            item["ended"] = max(item["ended"] or end, end)
        else:
            item["starts"] = min(item["starts"] or start, start)
    return insurance
