"""Complaint figures for the regulators' dashboards and the early-warning rule.

"A complaint" here is a case filed by a household (a ``Complaint`` row). What
counts against an agency's credit is another thing: an upheld complaint's
credit record (``registry.selectors.statistics.agency_complaint_counts``).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet

from ..models import Complaint


def complaints_received(*, since=None, until=None, districts=None) -> QuerySet[Complaint]:
    """Complaints received in [since, until) (aware datetimes), optionally in some districts."""
    qs = Complaint.objects.all()
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    if until is not None:
        qs = qs.filter(received_at__lt=until)
    if districts is not None:
        qs = qs.filter(district__in=list(districts))
    return qs


def _on_time_q() -> Q:
    return Q(status=Complaint.Status.CLOSED, closed_at__date__lte=F("due_on"))


def complaint_figures(qs: QuerySet[Complaint]) -> dict:
    """Counts by district, category and outcome, and the share closed by its deadline.

    ``on_time_percent`` is over the complaints that are closed or already past
    their deadline (an open complaint still in time is neither); None when there
    are none. Three grouped queries and one aggregate.
    """
    from django.utils import timezone

    today = timezone.localdate()
    totals = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=Complaint.Status.CLOSED)),
        overdue=Count("pk", filter=~Q(status=Complaint.Status.CLOSED) & Q(due_on__lt=today)),
        on_time=Count("pk", filter=_on_time_q()),
        due=Count("pk", filter=Q(status=Complaint.Status.CLOSED) | Q(due_on__lt=today)),
    )
    by_district = {
        row["district"]: row["n"]
        for row in qs.values("district").annotate(n=Count("pk")).order_by()
    }
    by_category = {
        row["category"]: row["n"]
        for row in qs.values("category").annotate(n=Count("pk")).order_by()
    }
    by_outcome = {
        row["outcome"]: row["n"]
        for row in qs.filter(status=Complaint.Status.CLOSED)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    }
    due = totals["due"]
    return {
        "total": totals["total"],
        "open": totals["open"],
        "overdue": totals["overdue"],
        "on_time": totals["on_time"],
        "on_time_percent": round(100 * totals["on_time"] / due, 1) if due else None,
        "by_district": [
            {"code": code, "label": str(label), "count": by_district.get(code, 0)}
            for code, label in Complaint._meta.get_field("district").choices
            if by_district.get(code)
        ],
        "by_category": [
            {"code": code, "label": str(label), "count": by_category.get(code, 0)}
            for code, label in Complaint.Category.choices
        ],
        "by_outcome": [
            {"code": code, "label": str(label), "count": by_outcome.get(code, 0)}
            for code, label in Complaint.Outcome.choices
        ],
    }


def complaints_overdue(*, today: datetime.date) -> QuerySet[Complaint]:
    """Open complaints past their deadline (rule input), with the agency named."""
    return (
        Complaint.objects.exclude(status=Complaint.Status.CLOSED)
        .filter(due_on__lt=today)
        .select_related("agency")
        .order_by("due_on", "pk")
    )


#: The monthly report's complaints columns, each counted from the rows' own dates.
MONTH_COLUMNS = ["received", "closed", "upheld", "on_time"]


def complaint_month_counts(*, since, until) -> list[dict]:
    """Per handling district, complaints received and closed in [since, until) (aware
    datetimes): closed, upheld (in full or in part) and closed by their deadline. Two
    grouped queries; rows ``{"district": …, "received": n, …}``."""
    rows: dict = {}
    received = (
        Complaint.objects.filter(received_at__gte=since, received_at__lt=until)
        .values("district")
        .annotate(received=Count("pk"))
        .order_by()
    )
    for row in received:
        rows.setdefault(row["district"], {"district": row["district"]}).update(row)
    closed = (
        Complaint.objects.filter(
            status=Complaint.Status.CLOSED, closed_at__gte=since, closed_at__lt=until
        )
        .values("district")
        .annotate(
            closed=Count("pk"),
            upheld=Count(
                "pk",
                filter=Q(outcome__in=[Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY_UPHELD]),
            ),
            on_time=Count("pk", filter=_on_time_q()),
        )
        .order_by()
    )
    for row in closed:
        rows.setdefault(row["district"], {"district": row["district"]}).update(row)
    return [{c: row.get(c, 0) for c in MONTH_COLUMNS} | {"district": d} for d, row in rows.items()]
