"""Admin integration of the courses app: audit labels and agency staff's bulk enrolment."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_log_actions")
def register_course_log_actions(actions):
    actions.register_action("courses.enrolment_create", _("报名课程"), _("报名了课程"))
    actions.register_action("courses.enrolment_bulk_create", _("批量报名"), _("批量报名了学员"))
    actions.register_action("courses.lesson_complete", _("完成课时"), _("完成了课时"))
    actions.register_action("courses.course_complete", _("完成课程"), _("学完了课程的全部必修课时"))


@hooks.register("register_admin_urls")
def register_course_admin_urls():
    return [
        path("courses/enrol/", admin_views.bulk_enrol, name="courses_bulk_enrol"),
    ]


class BulkEnrolMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.user_can_bulk_enrol(request.user)


@hooks.register("register_admin_menu_item")
def register_bulk_enrol_menu_item():
    return BulkEnrolMenuItem(
        _("批量报名课程"), reverse("courses_bulk_enrol"), icon_name="group", order=320
    )


@hooks.register("construct_homepage_panels")
def add_courses_agency_panel(request, panels):
    """Agency staff: who is learning, who finished, who stopped studying."""
    from registry.panels import add_agency_panel

    from .panels import LearningPanel

    add_agency_panel(request, panels, LearningPanel)
