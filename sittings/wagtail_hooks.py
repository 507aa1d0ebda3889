"""The sittings app in the Wagtail admin: stations and sittings (regulators and the operator),
the desk of sittings with their seats, tickets, live view and results (proctors too).

Stations and sittings are model viewsets scoped like the rest of the admin:
a district regulator sees the stations of their district, a proctor only
the sittings they proctor (``selectors.sittings_visible_to``).
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from lms.admin_scope import ScopedObjectsMixin
from registry.selectors.access import regulator_district_for_user

from . import selectors
from .models import Sitting, Station


@hooks.register("register_log_actions")
def register_sittings_log_actions(actions):
    actions.register_action("sittings.booking_create", _("预约座位"), _("为考生预约了座位"))
    actions.register_action("sittings.booking_cancel", _("取消座位"), _("取消了考生的座位"))
    actions.register_action("sittings.tickets_issue", _("打印准考证"), _("打印了准考证"))
    actions.register_action("sittings.ticket_redeem", _("凭准考证登录"), _("考生凭准考证开始考试"))


class StationForm(WagtailAdminModelForm):
    """A district regulator files stations of their own district only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        district = regulator_district_for_user(self.for_user) if self.for_user else None
        if district:
            field = self.fields["district"]
            field.choices = [c for c in field.choices if c[0] == district]


class StationViewSet(ScopedObjectsMixin, ModelViewSet):
    model = Station
    icon = "site"
    menu_label = _("考点")
    url_prefix = "sittings/stations"
    url_namespace = "sittings_station"
    list_display = ["name", "district", "address", "seats", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name", "address"]
    search_backend_name = None
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("district"), FieldPanel("seats")]),
            FieldPanel("allowed_networks"),
            FieldPanel("is_active"),
        ],
        base_form_class=StationForm,
    )

    def get_queryset(self, request):
        return selectors.stations_visible_to(request.user)

    def visible_to(self, user):
        return selectors.stations_visible_to(user)


class SittingForm(WagtailAdminModelForm):
    """Stations the login sees, and a window that ends after it starts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["station"].queryset = selectors.stations_visible_to(self.for_user).filter(
                is_active=True
            )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _gettext("结束时间须晚于开始时间。"))
        return cleaned


class SittingViewSet(ScopedObjectsMixin, ModelViewSet):
    model = Sitting
    icon = "date"
    menu_label = _("考场安排")
    url_prefix = "sittings/sittings"
    url_namespace = "sittings_sitting"
    list_display = ["__str__", "proctor", "starts_at"]
    list_filter = ["station"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("exam"),
            FieldPanel("station"),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("proctor"),
            FieldPanel("note"),
        ],
        base_form_class=SittingForm,
    )

    def get_queryset(self, request):
        return selectors.sittings_visible_to(request.user)

    def visible_to(self, user):
        return selectors.sittings_visible_to(user)


class DeskMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("sittings.view_sitting")


class SittingsGroup(ViewSetGroup):
    menu_label = _("考点考试")
    menu_icon = "date"
    menu_order = 325
    items = (StationViewSet, SittingViewSet)


@hooks.register("register_admin_viewset")
def register_sittings_viewsets():
    return SittingsGroup()


@hooks.register("register_admin_menu_item")
def register_desk_menu_item():
    return DeskMenuItem(
        _("考场工作台"), reverse("sittings_admin:desk"), icon_name="view", order=326
    )


@hooks.register("register_admin_urls")
def register_sittings_admin_urls():
    """Mount the desk, seats, tickets, live view and results under /admin/sittings/."""
    from . import admin_urls

    return [path("sittings/", include((admin_urls, "sittings_admin"), namespace="sittings_admin"))]
