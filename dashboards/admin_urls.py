"""Admin URLs of the dashboards, mounted under /admin/dashboards/ (second factor applies)."""

from django.urls import path

from . import supervision_views, views

app_name = "dashboards_admin"

urlpatterns = [
    path("", views.agency_dashboard, name="agency"),
    path("workers/", views.ProgressReportView.as_view(), name="report"),
    path(
        "workers/results/",
        views.ProgressReportView.as_view(results_only=True),
        name="report_results",
    ),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/bulk/", views.bulk_action, name="bulk"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    # Supervision (regulators)
    path("supervision/", supervision_views.overview, name="supervision"),
    path(
        "supervision/district/<slug:code>/",
        supervision_views.district_overview,
        name="supervision_district",
    ),
    path(
        "supervision/agency/<int:pk>/", supervision_views.agency_overview, name="supervision_agency"
    ),
    path("supervision/export/", supervision_views.export_xlsx, name="supervision_export"),
    path("warnings/", supervision_views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", supervision_views.warning_detail, name="warning"),
    path("reports/", supervision_views.report_list, name="reports"),
    path("reports/<int:pk>/", supervision_views.report_detail, name="report_month"),
    path("reports/<int:pk>/<str:fmt>/", supervision_views.report_download, name="report_file"),
]
