"""The regulators' figures: live statistics by district or agency, snapshots, months.

Every function takes an already-scoped worker queryset and groups in the
database (``values(...).annotate(...)``); the number of queries is fixed
whatever the number of workers, districts or agencies.
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from certificates import door
from certificates.selectors.statistics import certificate_counts_by, flow_by
from complaints.selectors import statistics as complaint_statistics
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from registry.models import District
from registry.selectors.statistics import (
    agency_counts_by_district,
    agency_standing_counts,
    credit_record_counts,
    credit_record_counts_by,
    filing_flow_by,
    registration_by,
    worker_standing_by,
)
from registry.selectors.visits import visit_counts

from ..models import DistrictSnapshot

REGISTRATION_KEYS = ["applications", "pending", "returned", "rejected", "registered", "cards"]
TRAINING_KEYS = ["enrolled", "completed"]
EXAM_KEYS = ["attempts", "passed", "first_attempts", "first_passed"]
CERTIFICATE_KEYS = ["valid", "expiring_30", "expired", "revoked"]
CREDIT_KEYS = ["good", "caution", "blacklisted"]
SNAPSHOT_KEYS = (
    REGISTRATION_KEYS
    + TRAINING_KEYS
    + EXAM_KEYS
    + CERTIFICATE_KEYS
    + ["credit_" + k for k in CREDIT_KEYS]
)


DISTRICT_NAMES = dict(District.choices)


def rate(part, whole) -> float | None:
    """Percentage with one decimal, or None when there is nothing to divide by."""
    return round(part * 100 / whole, 1) if whole else None


def _merge(target: dict, rows: list[dict], key_field: str, keys: list[str], prefix: str = ""):
    for row in rows:
        group = row[key_field]
        if group is None:
            continue
        bucket = target.setdefault(group, {})
        for k in keys:
            bucket[prefix + k] = row.get(k) or 0


def figures_by(workers, worker_field: str, *, today=None) -> dict:
    """Current key figures per value of `worker_field` (``agency__district`` or
    ``agency_id``): ``{group: {figure: n}}``. Seven queries whatever the size."""
    today = today or timezone.localdate()
    figures: dict = {}
    _merge(
        figures,
        registration_by(workers, worker_field),
        worker_field,
        REGISTRATION_KEYS,
    )
    _merge(
        figures,
        course_selectors.enrolment_totals_by(workers, "worker__" + worker_field),
        "worker__" + worker_field,
        TRAINING_KEYS,
    )
    _merge(
        figures,
        exam_selectors.attempt_counts_by(workers, ["worker__" + worker_field]),
        "worker__" + worker_field,
        EXAM_KEYS,
    )
    _merge(
        figures,
        certificate_counts_by(workers, ["worker__" + worker_field], today=today),
        "worker__" + worker_field,
        CERTIFICATE_KEYS,
    )
    _merge(
        figures,
        worker_standing_by(workers, worker_field, today=today),
        worker_field,
        CREDIT_KEYS,
        prefix="credit_",
    )
    for group in figures.values():
        for k in SNAPSHOT_KEYS:
            group.setdefault(k, 0)
    return figures


def totals(figures: dict) -> dict:
    """Column sums over groups."""
    total = dict.fromkeys(SNAPSHOT_KEYS, 0)
    for group in figures.values():
        for k in SNAPSHOT_KEYS:
            total[k] += group.get(k, 0)
    return total


def with_rates(row: dict) -> dict:
    """A copy of a figures row with its completion, pass and first-attempt pass rates."""
    row = dict(row)
    row["completion_rate"] = rate(row.get("completed", 0), row.get("enrolled", 0))
    row["pass_rate"] = rate(row.get("passed", 0), row.get("attempts", 0))
    row["first_pass_rate"] = rate(row.get("first_passed", 0), row.get("first_attempts", 0))
    return row


def district_label(code: str) -> str:
    """The district's name in the reader's language (the code itself if unknown)."""
    return str(dict(District.choices).get(code, code))


def supervision_overview(workers, agencies, *, group: str, today=None) -> dict:
    """Everything the statistics dashboard shows at one level.

    `group` is ``"district"`` (city level: one row per district) or ``"agency"``
    (district level: one row per agency).
    """
    today = today or timezone.localdate()
    worker_field = "agency__district" if group == "district" else "agency_id"
    figures = figures_by(workers, worker_field, today=today)
    agency_rows = agency_counts_by_district(agencies)
    structure = {
        row["district"]: {"agencies": row["agencies"], "demonstration": row["demonstration"]}
        for row in agency_rows
    }
    since = today - datetime.timedelta(days=30)
    overview = {
        "figures": {k: with_rates(v) for k, v in figures.items()},
        "total": with_rates(totals(figures)),
        "structure": structure,
        "agency_total": sum(r["agencies"] for r in agency_rows),
        "demonstration_total": sum(r["demonstration"] for r in agency_rows),
        "courses": [
            {**row, "rate": rate(row["completed"], row["enrolled"])}
            for row in course_selectors.enrolment_counts_by_course(workers)
        ],
        "exams": [
            # The district's name stays lazy: cached figures render in the reader's language.
            {**with_rates(row), "district": DISTRICT_NAMES.get(row["worker__agency__district"], "")}
            for row in exam_selectors.attempt_counts_by(
                workers, ["exam_id", "exam__title", "worker__agency__district"]
            )
        ],
        "certificate_types": certificate_counts_by(workers, ["type_id", "type__name"], today=today),
        "agency_standing": agency_standing_counts(agencies, today=today),
        "new_credit_records": credit_record_counts(
            workers, agencies, since=since, until=today + datetime.timedelta(days=1)
        ),
        "door_colours": door.door_colour_totals(workers, today=today),
        "visits": visit_counts(workers),
    }
    return overview


def snapshot_trend(districts: list[str] | None, keys: list[str], *, months: int = 12) -> dict:
    """Month by month, the sums of `keys` in the last daily snapshot of each month over the
    last `months` months, keyed by that snapshot's date; `districts` None is the whole city
    (callers pass only districts the reader may see)."""
    since = (
        timezone.localdate().replace(day=1) - datetime.timedelta(days=31 * (months - 1))
    ).replace(day=1)
    base = DistrictSnapshot.objects.filter(date__gte=since)
    if districts is not None:
        base = base.filter(district__in=districts)
    month_ends = list(
        base.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(last=Max("date"))
        .order_by("month")
        .values_list("last", flat=True)
    )
    rows = base.filter(date__in=month_ends).values("date", "figures")
    by_month: dict = {}
    for row in rows:
        bucket = by_month.setdefault(row["date"], {})
        for key in keys:
            bucket[key] = bucket.get(key, 0) + row["figures"].get(key, 0)
    return by_month


# --- months --------------------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes [first day 00:00, next month's first day 00:00) in local time."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


def previous_month(month: datetime.date) -> datetime.date:
    """The first day of the month before `month`'s."""
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


MONTH_TABLES = {
    "registration": ["submitted", "approved", "returned", "rejected", "cards"],
    "training": ["enrolled", "completed"],
    "exams": ["attempts", "passed", "first_attempts", "first_passed"],
    "certificates": ["issued", "revoked", "valid_at_end"],
    "credit": ["commendation", "complaint", "violation", "blacklist"],
    "complaints": complaint_statistics.MONTH_COLUMNS,
}


def month_figures(workers, month: datetime.date) -> dict:
    """The month's flows per district: ``{table: {district: {column: n}}}``.

    Flows are counted from the rows' own dates, so a month's numbers can be
    recomputed at any later time and equal direct counts of the same rows.
    """
    start, end = month_bounds(month)
    last_day = (end - datetime.timedelta(days=1)).date()
    field = "agency__district"
    tables: dict = {name: {} for name in MONTH_TABLES}
    _merge(
        tables["registration"],
        filing_flow_by(workers, field, since=start, until=end),
        field,
        MONTH_TABLES["registration"],
    )
    _merge(
        tables["training"],
        course_selectors.enrolment_totals_by(workers, "worker__" + field, since=start, until=end),
        "worker__" + field,
        MONTH_TABLES["training"],
    )
    _merge(
        tables["exams"],
        exam_selectors.attempt_counts_by(workers, ["worker__" + field], since=start, until=end),
        "worker__" + field,
        MONTH_TABLES["exams"],
    )
    _merge(
        tables["certificates"],
        flow_by(workers, "worker__" + field, since=start.date(), until=end.date(), at=last_day),
        "worker__" + field,
        MONTH_TABLES["certificates"],
    )
    _merge(
        tables["credit"],
        credit_record_counts_by(workers, field, since=start.date(), until=end.date()),
        "worker__" + field,
        MONTH_TABLES["credit"],
    )
    # Complaints by the district handling them (the visit's), whoever the workers are.
    _merge(
        tables["complaints"],
        complaint_statistics.complaint_month_counts(since=start, until=end),
        "district",
        MONTH_TABLES["complaints"],
    )
    for table, columns in MONTH_TABLES.items():
        for district in tables[table].values():
            for column in columns:
                district.setdefault(column, 0)
    return tables


def month_report_data(workers, month: datetime.date) -> dict:
    """The monthly report: this month's tables, last month's, and the change."""
    current = month_figures(workers, month)
    before = month_figures(workers, previous_month(month))
    districts = sorted(
        {d for t in current.values() for d in t} | {d for t in before.values() for d in t},
        key=lambda code: list(District.values).index(code) if code in District.values else 99,
    )
    tables = {}
    for table, columns in MONTH_TABLES.items():
        rows = []
        for district in districts:
            now_row = current[table].get(district, {})
            old_row = before[table].get(district, {})
            rows.append(
                {
                    "district": district,
                    "values": {c: now_row.get(c, 0) for c in columns},
                    "previous": {c: old_row.get(c, 0) for c in columns},
                }
            )
        tables[table] = {"columns": columns, "rows": rows}
    return {"month": month.strftime("%Y-%m"), "tables": tables}


def scope_report_data(data: dict, district: str = "") -> dict:
    """The report limited to one district (empty: the whole city), with totals and changes."""
    scoped = {"month": data.get("month"), "tables": {}}
    for table, content in data.get("tables", {}).items():
        rows = [r for r in content["rows"] if not district or r["district"] == district]
        columns = content["columns"]
        total = {c: sum(r["values"].get(c, 0) for r in rows) for c in columns}
        total_prev = {c: sum(r["previous"].get(c, 0) for r in rows) for c in columns}
        scoped["tables"][table] = {
            "columns": columns,
            "rows": [
                {
                    **r,
                    "label": district_label(r["district"]),
                    "change": {c: r["values"].get(c, 0) - r["previous"].get(c, 0) for c in columns},
                }
                for r in rows
            ],
            "total": total,
            "total_change": {c: total[c] - total_prev[c] for c in columns},
        }
    return scoped
