"""Admin URLs of the partners app, under /admin/partners/ (second factor applies)."""

from django.urls import path

from . import admin_views

app_name = "partners_admin"

urlpatterns = [
    path("<int:pk>/credentials/", admin_views.credentials, name="credentials"),
    path("<int:pk>/credentials/new/", admin_views.credential_create, name="credential_create"),
    path(
        "<int:pk>/credentials/<int:credential_pk>/revoke/",
        admin_views.credential_revoke,
        name="credential_revoke",
    ),
]
