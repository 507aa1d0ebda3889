"""Helpers several selector modules share."""

from __future__ import annotations

from django.db.models import QuerySet


def worker_ids(workers):
    """`workers` as a filter value: a Worker queryset stays a subquery, else a list of ids.

    Selectors that take ``workers`` accept a queryset (so a whole agency costs
    no more than one worker) or any iterable of workers or worker ids.
    """
    if isinstance(workers, QuerySet):
        return workers.values("pk")
    return [w if isinstance(w, int) else w.pk for w in workers]
