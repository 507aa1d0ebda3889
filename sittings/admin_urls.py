"""The sittings' staff screens, mounted under /admin/sittings/ by ``wagtail_hooks``."""

from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.desk, name="desk"),
    path("<int:sitting_id>/seats/", admin_views.seats, name="seats"),
    path("<int:sitting_id>/tickets.pdf", admin_views.tickets, name="tickets"),
    path("<int:sitting_id>/live/", admin_views.live, name="live"),
    path("<int:sitting_id>/live.json", admin_views.live_json, name="live_json"),
    path(
        "<int:sitting_id>/seats/<int:booking_id>/<slug:action>/",
        admin_views.seat_action,
        name="seat_action",
    ),
    path("<int:sitting_id>/results.pdf", admin_views.results_pdf, name="results_pdf"),
    path("<int:sitting_id>/results.xlsx", admin_views.results_xlsx, name="results_xlsx"),
    path("<int:sitting_id>/report/", admin_views.report, name="report"),
]
