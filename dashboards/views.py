"""The agency workspace in the Wagtail admin: progress report, worker page, bulk actions.

Views are thin: scope from ``selectors.scope.scope_for``, reads from selectors, writes
through services (the courses app's for enrolment, this app's for reminders).
Any object outside the user's scope is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin.views.reports import ReportView

from certificates import door
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import CoursePage
from lms.masking import mask_id_number
from registry.models import FilingStatus
from registry.selectors.credit import worker_credit_standing
from registry.selectors.filings import workers_ready_for_cards

from . import charts, services, writers
from .filters import CERTIFICATE_STATES, ProgressReportFilterSet
from .models import ExportJob, Reminder
from .selectors import funnel, progress_report
from .selectors.scope import scope_for
from .selectors.worker_timeline import worker_timeline
from .writers import last_exam_text

FILING_LABELS = dict(FilingStatus.choices)
CERTIFICATE_LABELS = dict(CERTIFICATE_STATES)


def scope_or_404(request, *, agency_only: bool = False, regulator_only: bool = False):
    scope = scope_for(request.user)
    if scope is None:
        raise Http404
    if agency_only and not scope.is_agency_staff:
        raise Http404
    if regulator_only and not scope.is_regulator:
        raise Http404
    return scope


def export_sync_limit() -> int:
    """Rows an export may have and still be built within the request."""
    return getattr(settings, "DASHBOARDS_EXPORT_SYNC_MAX_ROWS", 5000)


class ProgressReportView(ReportView):
    """员工认证进度: one row per worker, filtered, searched, sorted, paginated, exported.

    The rows are ``selectors.progress_report.report_rows`` and the spreadsheet is
    ``writers.ProgressSheet``, the same two the background export job uses."""

    template_name = "dashboards/report.html"
    results_template_name = "dashboards/report_results.html"
    page_title = gettext_lazy("员工认证进度")
    header_icon = "table"
    index_url_name = "dashboards_admin:report"
    index_results_url_name = "dashboards_admin:report_results"
    filterset_class = ProgressReportFilterSet
    is_searchable = True
    search_backend_name = None
    paginate_by = 50
    default_ordering = progress_report.DEFAULT_ORDERING
    export_filename = "staff-progress"
    list_export = writers.ProgressSheet.list_export
    orderings = progress_report.ORDERINGS

    @cached_property
    def scope(self):
        return scope_or_404(self.request)

    def dispatch(self, request, *args, **kwargs):
        scope_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "scope": self.scope}

    def get_ordering(self):
        return progress_report.report_ordering(self.request.GET)

    def get_queryset(self):
        return progress_report.report_rows(self.scope, self.request.GET, filterset=self.filters)

    def get_filtered_queryset(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.export_response(request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def export_response(self, export_format: str):
        queryset = self.get_filtered_queryset()
        if queryset.count() > export_sync_limit():
            query = self.request.GET.copy()
            query.pop("export", None)
            job = services.export_job_create(
                user=self.request.user, query=query.urlencode(), format=export_format
            )
            messages.info(self.request, _("导出的行数较多，正在后台生成，完成后可在此页下载。"))
            return redirect("dashboards_admin:export", pk=job.pk)
        return self.as_spreadsheet(queryset, export_format)

    def stream_csv(self, queryset):
        return writers.ProgressSheet().stream_csv(progress_report.iter_decorated(queryset))

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

    def write_xlsx(self, queryset, output):
        return writers.ProgressSheet().write_xlsx(progress_report.iter_decorated(queryset), output)

    def decorate_paginated_queryset(self, object_list):
        return progress_report.decorate_rows(list(object_list))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # decorates the page's rows once
        context["scope"] = self.scope
        context["filing_labels"] = FILING_LABELS
        context["certificate_labels"] = CERTIFICATE_LABELS
        context["sort_links"] = self.sort_links()
        if self.scope.is_agency_staff:
            context["bulk_courses"] = course_selectors.courses_for_choice()
            context["reminder_reasons"] = Reminder.Reason.choices
        context["current_query"] = self.request.GET.urlencode()
        return context

    def sort_links(self) -> dict:
        """For each sortable column: the URL that sorts by it (toggling direction)."""
        links = {}
        params = self.request.GET.copy()
        params.pop("p", None)
        params.pop("_w_filter_fragment", None)
        for key in self.orderings:
            params["ordering"] = f"-{key}" if self.ordering == key else key
            links[key.replace("__", "_")] = {
                "url": f"{self.index_url}?{params.urlencode()}",
                "active": self.ordering in (key, f"-{key}"),
                "descending": self.ordering == f"-{key}",
            }
        return links


def worker_detail(request, pk: int):
    """One worker's page: facts and the timeline of everything, newest first."""
    scope = scope_or_404(request)
    worker = get_object_or_404(
        progress_report.report_queryset(scope.workers).select_related("user"), pk=pk
    )
    progress_report.decorate_rows([worker])
    context = {
        "page_title": worker.name if scope.is_agency_staff else worker.masked_name,
        "header_icon": "user",
        "worker": worker,
        "display_name": worker.name if scope.is_agency_staff else worker.masked_name,
        "masked_id": worker.masked_id_number,
        "filing_label": FILING_LABELS.get(worker.filing_status, ""),
        "certificate_label": CERTIFICATE_LABELS.get(worker.certificate_status, ""),
        "last_exam": last_exam_text(worker),
        "timeline": worker_timeline(worker),
        "standing": worker_credit_standing(worker),
        "categories": list(worker.service_categories.all()),
        "door_label": door.short_label(worker.door_colour),
        "scope": scope,
        "report_url": reverse("dashboards_admin:report"),
    }
    return render(request, "dashboards/worker_detail.html", context)


# --- bulk actions ------------------------------------------------------------------------------


def _selected_workers(request, scope):
    """The posted worker ids, all within scope; any outside it is a 404."""
    try:
        ids = {int(v) for v in request.POST.getlist("worker")}
    except ValueError as error:
        raise Http404 from error
    workers = scope.workers.filter(pk__in=ids)
    if len(ids) != workers.count():
        raise Http404
    return ids, workers


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("dashboards_admin:report")


@require_POST
def bulk_action(request):
    scope = scope_or_404(request, agency_only=True)
    ids, workers = _selected_workers(request, scope)
    action = request.POST.get("action", "")
    if not ids:
        messages.warning(request, _("请先勾选服务员。"))
        return _back(request)
    if action == "enrol":
        return _bulk_enrol(request, workers)
    if action == "remind":
        return _bulk_remind(request, scope, workers)
    if action == "zip":
        return certificates_zip_response(request, workers)
    if action == "cards":
        return card_sheet_response(request, scope, workers)
    raise Http404


def _bulk_enrol(request, workers):
    try:
        course = course_selectors.courses_for_choice().get(pk=int(request.POST.get("course", "0")))
    except (ValueError, CoursePage.DoesNotExist) as error:
        raise Http404 from error
    try:
        result = course_services.enrolments_bulk_create(
            workers=workers.order_by("pk"), course=course, acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    messages.success(
        request,
        _("已报名 %(created)s 人，之前已报名 %(existing)s 人，不能报名 %(refused)s 人。")
        % {
            "created": len(result.created),
            "existing": len(result.existing),
            "refused": len(result.refused),
        },
    )
    return _back(request)


def _bulk_remind(request, scope, workers):
    reason = request.POST.get("reason", "")
    if reason not in Reminder.Reason.values:
        raise Http404
    result = services.reminders_send(
        workers=workers, reason=reason, acting_user=request.user, agency=scope.agency
    )
    messages.success(
        request,
        _("已提醒 %(sent)s 人；今天已提醒过 %(already)s 人；不适用 %(skipped)s 人。")
        % {
            "sent": len(result.sent),
            "already": len(result.already),
            "skipped": len(result.not_applicable),
        },
    )
    return _back(request)


def certificates_zip_response(request, workers):
    """The selected workers' current certificates (PDF and card) as one ZIP.

    Reads through ``certificates.selectors.records.certificates_for_zip`` (scoped to the
    user) and asks ``certificates.services.rendering.certificate_render`` for missing files.
    """
    from certificates.selectors.records import certificates_for_zip
    from certificates.services.zips import certificates_zip

    certificates = certificates_for_zip(request.user).filter(worker__in=workers.values("pk"))
    spool = certificates_zip(
        certificates=certificates, empty_note=_("所选服务员没有可下载的有效证书。")
    )
    return FileResponse(
        spool, as_attachment=True, filename="certificates.zip", content_type="application/zip"
    )


def card_sheet_response(request, scope, workers):
    """集体领卡签收单 (PDF) for the selected approved workers without a card yet.

    With none of them waiting for a card, a warning instead of an empty sheet.
    """
    ready = (
        workers_ready_for_cards(agency=scope.agency)
        .filter(pk__in=workers.values("pk"))
        .select_related("branch")
        .prefetch_related("service_categories")
        .order_by("name", "pk")
    )
    rows = [
        {
            "name": w.name,
            "id_number": mask_id_number(w.id_number),
            "categories": "、".join(c.name for c in w.service_categories.all()),
            "branch": w.branch.name if w.branch else "",
        }
        for w in ready
    ]
    if not rows:
        messages.warning(
            request,
            _("所选服务员中没有待领卡的人（需已登记通过且尚未发卡），没有生成领卡单。"),
        )
        return _back(request)
    pdf = writers.card_collection_pdf(
        agency_name=scope.agency.name,
        rows=rows,
        printed_on=timezone.localdate().isoformat(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="card-collection.pdf"'
    return response


# --- export jobs -------------------------------------------------------------------------------


def export_status(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if request.GET.get("download") and job.status == ExportJob.Status.DONE and job.file:
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
    return render(
        request,
        "dashboards/export_status.html",
        {"page_title": _("导出进度"), "header_icon": "download", "job": job},
    )


# --- the agency dashboard (also the admin home panels) ---------------------------------------


def agency_dashboard_context(scope) -> dict:
    """The funnel panel; the other panels of the workspace come from their own apps."""
    stages = funnel.funnel(scope.workers)
    return {
        "scope": scope,
        "stages": stages,
        "funnel_svg": charts.funnel_svg(stages),
        "report_url": reverse("dashboards_admin:report"),
    }


def agency_panels(request) -> list:
    """The workspace's panels, as every app adds them to the admin home, in order."""
    panels: list = []
    for add_panels in hooks.get_hooks("construct_homepage_panels"):
        add_panels(request, panels)
    return sorted((p for p in panels if getattr(p, "agency_panel", False)), key=lambda p: p.order)


def agency_dashboard(request):
    """The workspace on its own page (the admin home shows the same panels)."""
    scope_or_404(request, agency_only=True)
    context = {
        "panels": agency_panels(request),
        "page_title": _("企业工作台"),
        "header_icon": "home",
    }
    return render(request, "dashboards/agency_dashboard.html", context)
