"""The certification funnel of the agency workspace: one count per stage, one query."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.selectors.statistics import holder_figures
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from registry.models import Filing, FilingStatus

FUNNEL_STAGES = [
    ("filed", _("已备案")),
    ("approved", _("已登记")),
    ("enrolled", _("已报名")),
    ("completed", _("已学完")),
    ("passed", _("考试通过")),
    ("certified", _("持有效证书")),
]


def funnel_figures(*, today=None, within: QuerySet | None = None) -> dict:
    """One aggregate per funnel stage over worker rows (subqueries, no joins that
    multiply rows). With `within` (the workers asked about) each subquery looks
    only at their rows: PostgreSQL may then hash one agency's enrolments rather
    than the whole city's.

    The training and certificate stages are the courses' and certificates' own
    figures (``learner_figures``, ``holder_figures``), the very expressions their
    home panels show, so a stage and the panel beside it cannot disagree.
    """
    today = today or timezone.localdate()
    learners = course_selectors.learner_figures(within)
    # A worker who moved agencies has older filings too; only the current one counts.
    current_filings = Filing.objects.filter(worker=OuterRef("pk"), is_current=True)
    return {
        "filed": Count("pk", filter=Q(Exists(current_filings))),
        "approved": Count(
            "pk", filter=Q(Exists(current_filings.filter(status=FilingStatus.APPROVED)))
        ),
        "enrolled": learners["enrolled"],
        "completed": learners["completed"],
        "passed": Count("pk", filter=Q(exam_selectors.passed_condition(within))),
        **holder_figures(today, within),
    }


def funnel(workers: QuerySet, *, today=None) -> list[dict]:
    """The certification funnel: each stage counts the workers who meet it today.

    A stage is not narrowed to the workers who met every stage before it: a
    worker holding a valid certificate counts as such even when, say, the
    certificate predates the platform's courses. The stage then shows the same
    number as the panel that lists those workers. One query.
    """
    counts = workers.order_by().aggregate(**funnel_figures(today=today, within=workers))
    top = counts["filed"]
    return [
        {
            "key": key,
            "label": str(label),
            "count": counts[key],
            "percent": round(counts[key] * 100 / top) if top else 0,
        }
        for key, label in FUNNEL_STAGES
    ]
