"""The dashboards in the Wagtail admin: URLs, menu items, home panels, audit labels."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

AUDIT_ACTIONS = [
    ("dashboards.reminders_send", _("发送提醒"), _("向服务员发送了提醒")),
    ("dashboards.warning_open", _("产生预警"), _("系统产生了预警")),
    ("dashboards.warning_acknowledge", _("确认预警"), _("确认了预警")),
    ("dashboards.warning_resolve", _("解决预警"), _("解决了预警")),
    ("dashboards.warning_autoclose", _("预警自动关闭"), _("预警因原因消除自动关闭")),
    ("dashboards.monthly_report_generate", _("生成月报"), _("生成了监管月报")),
]


@hooks.register("register_log_actions")
def register_dashboards_log_actions(actions):
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


@hooks.register("register_admin_urls")
def register_dashboards_admin_urls():
    from . import admin_urls

    return [path("dashboards/", include(admin_urls, namespace="dashboards_admin"))]


def _scope(request):
    from .selectors.scope import scope_for

    cached = getattr(request, "_dashboards_scope", False)
    if cached is False:
        cached = scope_for(request.user)
        request._dashboards_scope = cached
    return cached


class _ScopedMenuItem(MenuItem):
    def __init__(self, *args, agency: bool = False, regulator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_agency = agency
        self.for_regulator = regulator

    def is_shown(self, request):
        scope = _scope(request)
        if scope is None:
            return False
        return (self.for_agency and scope.is_agency_staff) or (
            self.for_regulator and scope.is_regulator
        )


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return _ScopedMenuItem(
        _("员工认证进度"),
        reverse("dashboards_admin:report"),
        icon_name="table",
        order=150,
        agency=True,
        regulator=True,
    )


@hooks.register("register_admin_menu_item")
def register_supervision_menu_item():
    return _ScopedMenuItem(
        _("监管统计"),
        reverse("dashboards_admin:supervision"),
        icon_name="doc-full",
        order=151,
        regulator=True,
    )


@hooks.register("register_admin_menu_item")
def register_warnings_menu_item():
    return _ScopedMenuItem(
        _("预警"),
        reverse("dashboards_admin:warnings"),
        icon_name="warning",
        order=152,
        regulator=True,
    )


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return _ScopedMenuItem(
        _("监管月报"),
        reverse("dashboards_admin:reports"),
        icon_name="date",
        order=153,
        regulator=True,
    )


class AgencyDashboardPanel(Component):
    """The agency workspace's first panel: the certification funnel across the apps.

    Each app adds its own panel after it (registry, courses, exams, certificates:
    see ``registry.panels``)."""

    name = "dashboards_agency"
    order = 100
    agency_panel = True
    template_name = "dashboards/panels/agency.html"

    def __init__(self, scope):
        self.scope = scope

    def get_context_data(self, parent_context=None):
        from .views import agency_dashboard_context

        return agency_dashboard_context(self.scope)


class RegulatorDashboardPanel(Component):
    """Key figures and open warnings of the regulator's district (or the city)."""

    name = "dashboards_regulator"
    order = 10
    template_name = "dashboards/panels/regulator.html"

    def __init__(self, scope):
        self.scope = scope

    def get_context_data(self, parent_context=None):
        from .supervision_views import regulator_panel_context

        return regulator_panel_context(self.scope)


@hooks.register("construct_homepage_panels")
def add_dashboards_home_panels(request, panels):
    scope = _scope(request)
    if scope is None:
        return
    if scope.is_agency_staff:
        # An agency's office lives in its workspace: Wagtail's page panels (pages
        # in moderation, recent edits, locked pages) concern editors, not them.
        panels[:] = [p for p in panels if getattr(p, "agency_panel", False)]
        panels.insert(0, AgencyDashboardPanel(scope))
    elif scope.is_regulator:
        panels.insert(0, RegulatorDashboardPanel(scope))
