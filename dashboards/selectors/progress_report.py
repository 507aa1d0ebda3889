"""The staff-progress report (员工认证进度): its rows, as the listing, its exports and
the background export jobs read them, and the details added to each row.

The rows are the scope's workers only (``scope.workers``); filters, search and order
come from the listing's query string, so a stored query string gives the same rows
later (``report_rows``).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.search import SearchForm

from certificates import door
from certificates.selectors.statistics import annotate_certificate, annotated_certificate_status
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from registry.models import Filing, Worker
from registry.selectors.insurance import insurance_expiry_for_workers

from ..filters import ProgressReportFilterSet

CERTIFICATE_LABELS = {
    "valid": _("有效"),
    "expired": _("已过期"),
    "revoked": _("已撤销"),
}


def report_queryset(workers: QuerySet, *, today=None) -> QuerySet[Worker]:
    """One row per worker with the columns of the progress report, as annotations."""
    filing = Filing.objects.filter(worker=OuterRef("pk"), is_current=True)
    qs = workers.select_related("branch", "agency").annotate(
        filing_status=Subquery(filing.values("status")[:1]),
        filing_reason=Subquery(filing.values("reason")[:1]),
    )
    qs = exam_selectors.annotate_exam_state(qs)
    qs = annotate_certificate(qs, today=today)
    return qs


def decorate_rows(rows: list[Worker], *, today=None) -> list[Worker]:
    """Adds per-row details that are lists (course progress) or come from other
    selectors (door status, insurance); a fixed number of queries per call."""
    today = today or timezone.localdate()
    ids = [w.pk for w in rows]
    progress = course_selectors.enrolment_progress(ids)
    subset = Worker.objects.filter(pk__in=ids)
    doors = door.door_status_for_workers(subset) if ids else {}
    insurance = insurance_expiry_for_workers(subset) if ids else {}
    for w in rows:
        w.courses = progress.get(w.pk, [])
        w.certificate_status = annotated_certificate_status(w, today=today)
        w.certificate_label = str(CERTIFICATE_LABELS.get(w.certificate_status, ""))
        w.attempts_left = (
            max(w.attempts_allowed - w.attempts_used, 0) if w.last_exam_id is not None else None
        )
        status = doors.get(w.pk)
        w.door_colour = status.colour if status else ""
        w.door_label = door.short_label(w.door_colour)
        w.door_reasons = list(status.reasons) if status else []
        w.insurance_expiry = insurance.get(w.pk)
    return rows


def iter_decorated(queryset: QuerySet, *, chunk: int = 500, today=None):
    """Every row of `queryset`, decorated, in chunks (for exports)."""
    batch: list = []
    for worker in queryset.iterator(chunk_size=chunk):
        batch.append(worker)
        if len(batch) >= chunk:
            yield from decorate_rows(batch, today=today)
            batch = []
    if batch:
        yield from decorate_rows(batch, today=today)


# --- the rows of the listing and of its exports ------------------------------------------------

#: Columns the report may be sorted by (each also descending, with a leading "-").
ORDERINGS = [
    "name",
    "card_number",
    "branch__name",
    "filing_status",
    "certificate_expires_on",
    "health_check_expiry",
    "last_exam_at",
]
DEFAULT_ORDERING = "name"
SEARCH_FIELDS = ["name", "card_number"]


def report_ordering(params) -> str:
    """The sort column `params` (a query dict) asks for, or the default for any other value."""
    ordering = params.get("ordering", DEFAULT_ORDERING)
    if ordering not in ORDERINGS + ["-" + o for o in ORDERINGS]:
        return DEFAULT_ORDERING
    return ordering


def report_rows(scope, params, *, filterset=None) -> QuerySet[Worker]:
    """The report's rows for `scope`, filtered, searched and sorted as the query dict `params`
    asks; an invalid filter (e.g. another agency's branch) filters nothing, never widens."""
    queryset = report_queryset(scope.workers).order_by(report_ordering(params), "pk")
    if filterset is None:
        filterset = ProgressReportFilterSet(params, scope=scope)
    if filterset.is_valid():
        queryset = filterset.filter_queryset(queryset)
    search = SearchForm(params) if "q" in params else None
    term = search.cleaned_data["q"] if search is not None and search.is_valid() else ""
    if term:
        condition = Q()
        for field in SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset
