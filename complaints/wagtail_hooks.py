"""The complaints in the Wagtail admin: audit labels, staff screens and their menu items."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

AUDIT_ACTIONS = [
    ("complaints.file", _("受理投诉"), _("雇主提交了投诉")),
    ("complaints.investigate", _("开始调查投诉"), _("开始调查投诉")),
    ("complaints.close", _("办结投诉"), _("办结了投诉")),
    ("complaints.agency_answer", _("企业答复投诉"), _("被投诉企业作出答复")),
]


@hooks.register("register_log_actions")
def register_complaints_log_actions(actions):
    """Give the complaints' audit actions their labels in Wagtail's history views."""
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


@hooks.register("register_admin_urls")
def register_complaints_admin_urls():
    """Mount the complaints' staff screens under /admin/complaints/."""
    from . import admin_urls

    return [path("complaints/", include(admin_urls, namespace="complaints_admin"))]


class RegulatorMenuItem(MenuItem):
    def is_shown(self, request):
        from registry.selectors.access import user_is_regulator

        return user_is_regulator(request.user)


class AgencyMenuItem(MenuItem):
    def is_shown(self, request):
        from registry.selectors.access import agency_staff_for_user

        return agency_staff_for_user(request.user) is not None


@hooks.register("register_admin_menu_item")
def register_complaint_queue_menu_item():
    return RegulatorMenuItem(
        _("投诉办理"), reverse("complaints_admin:queue"), icon_name="mail", order=154
    )


@hooks.register("register_admin_menu_item")
def register_agency_complaints_menu_item():
    return AgencyMenuItem(
        _("被投诉"), reverse("complaints_admin:agency_list"), icon_name="mail", order=155
    )


@hooks.register("construct_homepage_panels")
def add_complaints_agency_panel(request, panels):
    """The agency workspace's complaints panel, for agency staff."""
    from registry.panels import add_agency_panel

    from .panels import AgencyComplaintsPanel

    add_agency_panel(request, panels, AgencyComplaintsPanel)
