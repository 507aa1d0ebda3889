"""Admin URLs of the partners app, under /admin/partners/ (second factor applies)."""

from django.urls import path

from . import admin_views, admin_webhooks

app_name = "partners_admin"

urlpatterns = [
    path("<int:pk>/credentials/", admin_views.credentials, name="credentials"),
    path("<int:pk>/credentials/new/", admin_views.credential_create, name="credential_create"),
    path(
        "<int:pk>/credentials/<int:credential_pk>/revoke/",
        admin_views.credential_revoke,
        name="credential_revoke",
    ),
    path("<int:pk>/webhooks/", admin_webhooks.webhooks, name="webhooks"),
    path("<int:pk>/webhooks/new/", admin_webhooks.webhook_create, name="webhook_create"),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/rotate/",
        admin_webhooks.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/disable/",
        admin_webhooks.webhook_disable,
        name="webhook_disable",
    ),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/enable/",
        admin_webhooks.webhook_enable,
        name="webhook_enable",
    ),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/delete/",
        admin_webhooks.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/deliveries/",
        admin_webhooks.webhook_deliveries,
        name="webhook_deliveries",
    ),
    path(
        "<int:pk>/webhooks/<int:endpoint_pk>/replay/",
        admin_webhooks.webhook_replay,
        name="webhook_replay",
    ),
]
