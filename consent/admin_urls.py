"""The agency's consent screens, mounted under /admin/consent/ (see wagtail_hooks)."""

from django.urls import path

from . import admin_views

app_name = "consent_admin"

urlpatterns = [
    path("", admin_views.IndexView.as_view(), name="index"),
    path("requests/<int:pk>/", admin_views.RequestView.as_view(), name="request"),
    path("requests/<int:pk>/status/", admin_views.request_status, name="request_status"),
    path("grants/<int:pk>/", admin_views.GrantView.as_view(), name="grant"),
    path("grants/<int:pk>/photo/", admin_views.grant_photo, name="grant_photo"),
]
