"""Supervision for regulators in the Wagtail admin: statistics with drill-down city →
district → agency, trends, early warnings and monthly reports.

A city regulator sees everything; a district regulator only their district
(anything else is a 404), everywhere: pages, drill-downs, exports, warnings
and reports.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.selectors.statistics import complaint_figures, complaints_received
from registry.models import Agency, District

from . import charts, services, writers
from .models import MonthlyReport, SupervisionWarning
from .selectors import cached_figures, figures, funnel
from .selectors.early_warnings import OPEN_STATUSES, warnings_for
from .views import scope_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regulator(request):
    return scope_or_404(request, regulator_only=True)


def _check_district(scope, code: str) -> None:
    if code not in District.values:
        raise Http404
    if scope.district and scope.district != code:
        raise Http404


def _agency_or_404(scope, pk: int) -> Agency:
    return get_object_or_404(scope.agencies, pk=pk)


def _warnings_url(*, district: str = "", agency=None) -> str:
    url = reverse("dashboards_admin:warnings")
    if agency is not None:
        return f"{url}?{urlencode({'agency': agency.pk})}"
    if district:
        return f"{url}?{urlencode({'district': district})}"
    return url


# --- trends ------------------------------------------------------------------------------------

TREND_SERIES = [
    ("registered", "已登记"),
    ("valid", "有效证书"),
    ("completed", "学完课程"),
    ("passed", "考试通过"),
]


def trend_context(districts: list[str] | None, *, months: int = 12) -> dict:
    """Month-by-month figures from the daily snapshots (last snapshot of each month)."""
    by_month = figures.snapshot_trend(
        districts, [key for key, _label in TREND_SERIES], months=months
    )
    dates = sorted(by_month)
    labels = [d.strftime("%Y-%m") for d in dates]
    series = [(_(label), [by_month[d].get(key, 0) for d in dates]) for key, label in TREND_SERIES]
    return {
        "trend_labels": labels,
        "trend_rows": [{"month": d.strftime("%Y-%m"), **by_month[d]} for d in dates],
        "trend_svg": charts.lines_svg(labels, series) if dates else "",
        "trend_series": TREND_SERIES,
    }


# --- the statistics pages ------------------------------------------------------------------------


def _rows_for(overview: dict, labels: dict, link) -> list[dict]:
    rows = []
    for key, values in overview["figures"].items():
        rows.append({"key": key, "label": labels.get(key, key), "url": link(key), **values})
    rows.sort(key=lambda r: str(r["label"]))
    return rows


def _base_context(scope, title: str, *, district: str = "", agency=None) -> dict:
    """What every statistics page shows; the warning count is the page's own subject's."""
    return {
        "page_title": title,
        "header_icon": "doc-full",
        "scope": scope,
        "report_url": reverse("dashboards_admin:report"),
        "open_warnings": warnings_for(scope, district=district, agency=agency)
        .filter(status__in=OPEN_STATUSES)
        .count(),
        "warnings_url": _warnings_url(district=district, agency=agency),
    }


def _complaint_figures(districts=None) -> dict:
    """Complaints received in the last 365 days in `districts` (None: the whole city)."""
    since = timezone.now() - datetime.timedelta(days=365)
    return complaint_figures(complaints_received(since=since, districts=districts))


def _wants_refresh(request) -> bool:
    return request.GET.get("refresh") == "1"


def overview(request):
    """City level: one row per district. A district regulator starts at their district."""
    scope = _regulator(request)
    if scope.district:
        return redirect("dashboards_admin:supervision_district", code=scope.district)
    live_entry = cached_figures.entry_for("city", refresh=_wants_refresh(request))
    data = live_entry["overview"]
    labels = dict(District.choices)
    context = _base_context(scope, _("全市监管统计"))
    context.update(
        {
            "level": "city",
            "overview": data,
            "rows": _rows_for(
                data,
                {k: str(v) for k, v in labels.items()},
                lambda code: reverse("dashboards_admin:supervision_district", args=[code]),
            ),
            "group_label": _("区"),
            "export_url": reverse("dashboards_admin:supervision_export") + "?level=city",
            "registered_svg": charts.bars_svg(
                [(str(labels.get(k, k)), v["registered"]) for k, v in data["figures"].items()]
            ),
            "filter_param": "district",
            "computed_at": live_entry["computed_at"],
            "complaints": _complaint_figures(),
        }
    )
    context.update(trend_context(None))
    return render(request, "dashboards/supervision.html", context)


def district_overview(request, code: str):
    """District level: one row per agency of the district."""
    scope = _regulator(request)
    _check_district(scope, code)
    agencies = scope.agencies.filter(district=code)
    live_entry = cached_figures.entry_for("district", code, refresh=_wants_refresh(request))
    data = live_entry["overview"]
    names = dict(agencies.values_list("pk", "name"))
    context = _base_context(
        scope,
        _("%(district)s监管统计") % {"district": figures.district_label(code)},
        district=code,
    )
    context.update(
        {
            "level": "district",
            "district": code,
            "overview": data,
            "rows": _rows_for(
                data,
                names,
                lambda pk: reverse("dashboards_admin:supervision_agency", args=[pk]),
            ),
            "group_label": _("企业"),
            "export_url": reverse("dashboards_admin:supervision_export")
            + f"?level=district&code={code}",
            "registered_svg": charts.bars_svg(
                sorted(
                    [(names.get(k, str(k)), v["registered"]) for k, v in data["figures"].items()],
                    key=lambda item: -item[1],
                )[:15]
            ),
            "filter_param": "agency",
            "city_url": "" if scope.district else reverse("dashboards_admin:supervision"),
            "computed_at": live_entry["computed_at"],
            "complaints": _complaint_figures([code]),
        }
    )
    context.update(trend_context([code]))
    return render(request, "dashboards/supervision.html", context)


def agency_overview(request, pk: int):
    """Agency level: the agency's funnel, registration, training, exams and certificates."""
    scope = _regulator(request)
    agency = _agency_or_404(scope, pk)
    workers = scope.workers.filter(agency=agency)
    agencies = scope.agencies.filter(pk=agency.pk)
    data = figures.supervision_overview(workers, agencies, group="agency")
    stages = funnel.funnel(workers)
    context = _base_context(scope, agency.name, agency=agency)
    context.update(
        {
            "level": "agency",
            "agency": agency,
            "district": agency.district,
            "district_url": reverse(
                "dashboards_admin:supervision_district", args=[agency.district]
            ),
            "overview": data,
            "figures": data["total"],
            "stages": stages,
            "funnel_svg": charts.funnel_svg(stages),
            "export_url": reverse("dashboards_admin:supervision_export")
            + f"?level=agency&code={agency.pk}",
            "warnings": warnings_for(scope).filter(agency=agency, status__in=OPEN_STATUSES)[:20],
        }
    )
    return render(request, "dashboards/supervision_agency.html", context)


def export_xlsx(request):
    """Every figure of a level as a workbook (one sheet per table)."""
    scope = _regulator(request)
    level = request.GET.get("level", "city")
    code = request.GET.get("code", "")
    if level == "city":
        if scope.district:
            raise Http404
        workers, agencies, group = scope.workers, scope.agencies, "district"
        labels = {k: str(v) for k, v in District.choices}
    elif level == "district":
        _check_district(scope, code)
        workers = scope.workers.filter(agency__district=code)
        agencies = scope.agencies.filter(district=code)
        group = "agency"
        labels = dict(agencies.values_list("pk", "name"))
    elif level == "agency":
        try:
            agency = _agency_or_404(scope, int(code))
        except ValueError as error:
            raise Http404 from error
        workers = scope.workers.filter(agency=agency)
        agencies = scope.agencies.filter(pk=agency.pk)
        group = "agency"
        labels = {agency.pk: agency.name}
    else:
        raise Http404
    data = figures.supervision_overview(workers, agencies, group=group)
    keys = figures.SNAPSHOT_KEYS + ["completion_rate", "pass_rate", "first_pass_rate"]
    headings = [_("区") if group == "district" else _("企业")] + [figure_label(k) for k in keys]
    figure_rows = [
        [labels.get(k, str(k))] + [v.get(k) for k in keys] for k, v in data["figures"].items()
    ]
    figure_rows.append([_("合计")] + [data["total"].get(k) for k in keys])
    sheets = [
        (_("总览"), headings, figure_rows),
        (
            _("课程"),
            [_("课程"), _("报名"), _("学完"), _("完成率（%）")],
            [
                [c["course__title"], c["enrolled"], c["completed"], c["rate"]]
                for c in data["courses"]
            ],
        ),
        (
            _("考试"),
            [
                _("考试"),
                _("区"),
                _("考试人次"),
                _("通过"),
                _("通过率（%）"),
                _("首次考试"),
                _("首次通过率（%）"),
            ],
            [
                [
                    e["exam__title"],
                    figures.district_label(e["worker__agency__district"] or ""),
                    e["attempts"],
                    e["passed"],
                    e["pass_rate"],
                    e["first_attempts"],
                    e["first_pass_rate"],
                ]
                for e in data["exams"]
            ],
        ),
        (
            _("证书"),
            [_("证书类型"), _("有效"), _("30 天内到期"), _("已过期"), _("已撤销")],
            [
                [t["type__name"], t["valid"], t["expiring_30"], t["expired"], t["revoked"]]
                for t in data["certificate_types"]
            ],
        ),
        (
            _("信用"),
            [_("对象"), _("信用良好"), _("有不良记录"), _("黑名单")],
            [
                [
                    _("服务员"),
                    data["total"]["credit_good"],
                    data["total"]["credit_caution"],
                    data["total"]["credit_blacklisted"],
                ],
                [
                    _("企业"),
                    data["agency_standing"]["good"],
                    data["agency_standing"]["caution"],
                    data["agency_standing"]["blacklisted"],
                ],
            ],
        ),
    ]
    response = HttpResponse(writers.tables_xlsx(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="supervision-{level}.xlsx"'
    return response


FIGURE_LABELS = {
    "applications": "申请登记",
    "pending": "待审核",
    "returned": "退回修改",
    "rejected": "未通过",
    "registered": "已登记",
    "cards": "已发卡",
    "enrolled": "报名",
    "completed": "学完",
    "attempts": "考试人次",
    "passed": "考试通过",
    "first_attempts": "首次考试",
    "first_passed": "首次通过",
    "valid": "有效证书",
    "expiring_30": "30 天内到期",
    "expired": "已过期",
    "revoked": "已撤销",
    "credit_good": "信用良好",
    "credit_caution": "有不良记录",
    "credit_blacklisted": "黑名单",
    "completion_rate": "完成率（%）",
    "pass_rate": "通过率（%）",
    "first_pass_rate": "首次通过率（%）",
}


def figure_label(key: str) -> str:
    return _(FIGURE_LABELS.get(key, key))


# --- home panel ----------------------------------------------------------------------------------


def regulator_panel_context(scope) -> dict:
    if scope.district:
        live_entry = cached_figures.entry_for("district", scope.district)
    else:
        live_entry = cached_figures.entry_for("city")
    counts = live_entry["overview"]["total"]
    return {
        "computed_at": live_entry["computed_at"],
        "scope": scope,
        "counts": counts,
        "district_label": figures.district_label(scope.district) if scope.district else _("全市"),
        "warnings": list(warnings_for(scope).filter(status__in=OPEN_STATUSES)[:5]),
        "open_warnings": warnings_for(scope).filter(status__in=OPEN_STATUSES).count(),
        "supervision_url": reverse("dashboards_admin:supervision"),
        "warnings_url": reverse("dashboards_admin:warnings"),
        "reports_url": reverse("dashboards_admin:reports"),
    }


# --- warnings --------------------------------------------------------------------------------------


def warning_list(request):
    scope = _regulator(request)
    status = request.GET.get("status", "open")
    rule = request.GET.get("rule", "")
    district = request.GET.get("district", "")
    agency = None
    if request.GET.get("agency", "").isdigit():
        agency = scope.agencies.filter(pk=int(request.GET["agency"])).first()
    qs = warnings_for(
        scope, district=district if district in District.values else "", agency=agency
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in SupervisionWarning.Status.values:
        qs = qs.filter(status=status)
    if rule in SupervisionWarning.Rule.values:
        qs = qs.filter(rule=rule)
    page = Paginator(qs.order_by("-opened_at", "-pk"), 50).get_page(request.GET.get("p"))
    context = {
        "page_title": _("预警"),
        "header_icon": "warning",
        "page_obj": page,
        "status": status,
        "rule": rule,
        "rules": SupervisionWarning.Rule.choices,
        "statuses": [("open", _("未解决")), *SupervisionWarning.Status.choices],
    }
    return render(request, "dashboards/warning_list.html", context)


def warning_detail(request, pk: int):
    scope = _regulator(request)
    warning = get_object_or_404(warnings_for(scope), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "acknowledge":
                services.warning_acknowledge(warning=warning, acting_user=request.user)
                messages.success(request, _("已确认该预警。"))
            elif action == "resolve":
                services.warning_resolve(
                    warning=warning, acting_user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, _("已解决该预警。"))
            else:
                raise Http404
        except services.WarningError as error:
            messages.error(request, str(error))
        return redirect("dashboards_admin:warning", pk=warning.pk)
    context = {
        "page_title": warning.get_rule_display(),
        "header_icon": "warning",
        "warning": warning,
        "district_label": figures.district_label(warning.district) if warning.district else "",
    }
    return render(request, "dashboards/warning_detail.html", context)


# --- monthly reports ------------------------------------------------------------------------------


def report_list(request):
    scope = _regulator(request)
    if request.method == "POST":
        if scope.district:
            raise Http404  # the city writes the reports; districts read their part
        try:
            month = datetime.date.fromisoformat(request.POST.get("month", "") + "-01")
        except ValueError:
            messages.error(request, _("请选择月份。"))
            return redirect("dashboards_admin:reports")
        from .tasks import monthly_report

        monthly_report.delay(month.isoformat(), request.user.pk)
        messages.success(
            request, _("正在生成 %(month)s 月报。") % {"month": month.strftime("%Y-%m")}
        )
        return redirect("dashboards_admin:reports")
    context = {
        "page_title": _("监管月报"),
        "header_icon": "date",
        "reports": MonthlyReport.objects.only("pk", "month", "generated_at"),
        "scope": scope,
        "default_month": figures.previous_month(timezone.localdate()).strftime("%Y-%m"),
    }
    return render(request, "dashboards/report_list.html", context)


def _scoped_report(scope, report: MonthlyReport) -> dict:
    return figures.scope_report_data(report.data, scope.district)


def report_detail(request, pk: int):
    scope = _regulator(request)
    report = get_object_or_404(MonthlyReport, pk=pk)
    data = _scoped_report(scope, report)
    tables = [
        {
            "name": name,
            "title": writers.table_title(name),
            "columns": [writers.column_label(c) for c in content["columns"]],
            "keys": content["columns"],
            "rows": [
                {
                    "label": row["label"],
                    "cells": [(row["values"][c], row["change"][c]) for c in content["columns"]],
                }
                for row in content["rows"]
            ],
            "total": [
                (content["total"][c], content["total_change"][c]) for c in content["columns"]
            ],
        }
        for name, content in data["tables"].items()
    ]
    context = {
        "page_title": _("监管月报 %(month)s") % {"month": report.month.strftime("%Y-%m")},
        "header_icon": "date",
        "report": report,
        "tables": tables,
        "scope_label": figures.district_label(scope.district) if scope.district else _("全市"),
    }
    return render(request, "dashboards/report_detail.html", context)


def report_download(request, pk: int, fmt: str):
    scope = _regulator(request)
    report = get_object_or_404(MonthlyReport, pk=pk)
    name = report.month.strftime("%Y-%m")
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    stored = report.pdf if fmt == "pdf" else report.xlsx
    if not scope.district and stored:
        with stored.open("rb") as fh:
            content = fh.read()
    else:
        data = _scoped_report(scope, report)
        label = _("范围：%(scope)s") % {
            "scope": figures.district_label(scope.district) if scope.district else _("全市")
        }
        content = (
            writers.report_pdf(data, scope_label=label)
            if fmt == "pdf"
            else writers.report_xlsx(data)
        )
    response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf" else XLSX)
    suffix = f"-{scope.district}" if scope.district else ""
    response["Content-Disposition"] = f'attachment; filename="report-{name}{suffix}.{fmt}"'
    return response
