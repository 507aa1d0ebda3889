"""The consent app in the Wagtail admin (audit labels, the agency's request screens) and the
hook through which lower apps record that a worker was seen."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

AUDIT_ACTIONS = [
    ("consent.grant", _("同意查看完整档案"), _("服务员同意查看完整档案")),
    ("consent.refuse", _("拒绝查看完整档案"), _("服务员拒绝查看完整档案")),
    ("consent.withdraw", _("撤回查看授权"), _("服务员撤回了查看授权")),
    ("consent.replayed", _("授权被重复使用"), _("查看授权在另一台设备上被使用，已失效")),
    ("consent.view_report", _("举报不认识的查看"), _("服务员举报了一条不认识的查看记录")),
]


@hooks.register("register_log_actions")
def register_consent_log_actions(actions):
    """Give the consent app's audit actions their labels in Wagtail's history views."""
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


@hooks.register("register_admin_urls")
def register_consent_admin_urls():
    """Mount the agency's consent screens under /admin/consent/."""
    from . import admin_urls

    return [path("consent/", include(admin_urls, namespace="consent_admin"))]


class AgencyMenuItem(MenuItem):
    def is_shown(self, request):
        from registry.selectors.access import agency_staff_for_user

        return agency_staff_for_user(request.user) is not None


@hooks.register("register_admin_menu_item")
def register_consent_menu_item():
    return AgencyMenuItem(
        _("授权查看档案"), reverse("consent_admin:index"), icon_name="view", order=156
    )


@hooks.register("registry_workers_viewed")
def record_workers_viewed(*, request, workers, kind):
    """Lower apps (registry, certificates) report that workers were shown to someone.

    They cannot import this app; the view log is written here, with the
    viewer masked as "住户扫码" (a scan) or "公众查询" (a lookup answer).
    """
    from .models import ViewerKind, WorkerView
    from .services import worker_views_record

    scan = kind in (WorkerView.Kind.CERTIFICATE_SCAN, WorkerView.Kind.LIVE_SCAN)
    worker_views_record(
        workers=workers,
        kind=kind,
        viewer_kind=ViewerKind.HOUSEHOLD if scan else ViewerKind.PUBLIC,
        request=request,
    )
