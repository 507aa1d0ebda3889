"""Partner systems in the Wagtail admin: audit labels, the partners and their call log."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks

AUDIT_ACTIONS = [
    ("partners.credential_create", _("新建客户端密钥"), _("为合作系统新建了客户端密钥")),
    ("partners.credential_revoke", _("吊销客户端密钥"), _("吊销了合作系统的客户端密钥")),
    ("partners.webhook_create", _("新建推送地址"), _("为合作系统新建了推送地址")),
    ("partners.webhook_rotate", _("轮换推送密钥"), _("轮换了推送地址的签名密钥")),
    ("partners.webhook_disable", _("停用推送地址"), _("停用了推送地址")),
    ("partners.webhook_enable", _("启用推送地址"), _("重新启用了推送地址")),
    ("partners.webhook_delete", _("删除推送地址"), _("删除了推送地址")),
    ("partners.webhook_replay", _("重放推送"), _("重放了推送地址的一段事件")),
]


@hooks.register("register_log_actions")
def register_partners_log_actions(actions):
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


# --- admin screens (city regulators only) ----------------------------------------------

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet  # noqa: E402
from wagtail.admin.panels import FieldPanel, ObjectList  # noqa: E402
from wagtail.admin.ui.menus import MenuItem  # noqa: E402
from wagtail.admin.views.generic import IndexView  # noqa: E402
from wagtail.admin.viewsets.base import ViewSetGroup  # noqa: E402
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402
from wagtail.permission_policies import BasePermissionPolicy  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

import django_filters  # noqa: E402

from lms.accounts.roles import Role  # noqa: E402

from .forms import PartnerForm  # noqa: E402
from .models import Partner, PartnerCall  # noqa: E402
from .selectors import user_manages_partners  # noqa: E402

#: The operations of the call log (the token endpoint and the API's), for its filter.
ENDPOINTS = [
    ("token", _("换取令牌")),
    ("me", _("本系统信息")),
    ("certificate_by_number", _("按编号查证书")),
    ("certificate_by_token", _("按二维码查证书")),
    ("worker_by_card", _("按卡号查服务员")),
    ("worker_by_id_number", _("按身份证号查服务员")),
    ("agency_by_credit_code", _("按信用代码查企业")),
    ("webhooks_list", _("列出推送地址")),
    ("webhook_create", _("登记推送地址")),
    ("webhook_delete", _("删除推送地址")),
    ("webhook_rotate_secret", _("轮换推送密钥")),
]


class CityRegulatorPolicy(BasePermissionPolicy):
    """Only city regulators (and superusers) see and manage partners; never deleted
    (a partner is disabled, its calls stay in the log)."""

    actions = ("add", "change", "view")

    def user_has_permission(self, user, action):
        return action in self.actions and user_manages_partners(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not set(actions) & set(self.actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(groups__name=Role.CITY_REGULATOR), is_active=True
            )
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class CallLogPolicy(CityRegulatorPolicy):
    """The call log is read only."""

    actions = ("view",)


register_permission_policy(Partner, CityRegulatorPolicy(Partner), exact_class=True)
register_permission_policy(PartnerCall, CallLogPolicy(PartnerCall), exact_class=True)


@hooks.register("register_admin_urls")
def register_partners_admin_urls():
    from . import admin_urls

    return [path("partners/", include(admin_urls, namespace="partners_admin"))]


class PartnerIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("客户端密钥"),
                url=reverse("partners_admin:credentials", args=[instance.pk]),
                icon_name="key",
                priority=20,
            )
        )
        buttons.append(
            MenuItem(
                _("推送地址"),
                url=reverse("partners_admin:webhooks", args=[instance.pk]),
                icon_name="link",
                priority=30,
            )
        )
        return buttons


class PartnerViewSet(ModelViewSet):
    model = Partner
    icon = "link"
    menu_label = _("合作系统")
    name = "partner_systems"
    url_prefix = "partners/systems"
    index_view_class = PartnerIndexView
    copy_view_enabled = False
    list_display = ["name", "kind", "agency", "scope", "rate_per_minute", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "contact_name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("kind"),
            FieldPanel("agency"),
            FieldPanel("contact_name"),
            FieldPanel("contact_phone"),
            FieldPanel("contact_email"),
            FieldPanel("scope"),
            FieldPanel("allowed_networks"),
            FieldPanel("rate_per_minute"),
            FieldPanel("is_active"),
        ],
        base_form_class=PartnerForm,
    )


class PartnerCallFilterSet(WagtailFilterSet):
    partner = django_filters.ModelChoiceFilter(
        label=_("合作系统"), queryset=Partner.objects.order_by("name")
    )
    endpoint = django_filters.ChoiceFilter(label=_("接口"), choices=ENDPOINTS)
    status = django_filters.NumberFilter(label=_("状态码"))
    at = django_filters.DateFromToRangeFilter(label=_("日期"), widget=DateRangePickerWidget)

    class Meta:
        model = PartnerCall
        fields = ["partner", "endpoint", "status", "at"]


class PartnerCallIndexView(IndexView):
    default_ordering = "-at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("partner")

    def get_edit_url(self, instance):
        return None

    def get_inspect_url(self, instance):
        return None


class PartnerCallViewSet(ModelViewSet):
    model = PartnerCall
    icon = "list-ul"
    menu_label = _("调用记录")
    name = "partner_calls"
    url_prefix = "partners/calls"
    index_view_class = PartnerCallIndexView
    filterset_class = PartnerCallFilterSet
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50
    exclude_form_fields: list = []
    list_display = [
        "at",
        "partner",
        "endpoint",
        "scope",
        "purpose",
        "subjects",
        "status",
        "problem",
        "duration_ms",
        "client_address",
    ]
    list_export = [
        "at",
        "partner",
        "client_id",
        "method",
        "endpoint",
        "scope",
        "purpose",
        "subjects",
        "status",
        "problem",
        "duration_ms",
        "client_address",
    ]
    export_filename = "partner-calls"


class PartnersGroup(ViewSetGroup):
    menu_label = _("数据共享")
    menu_icon = "link"
    menu_order = 160
    items = (PartnerViewSet, PartnerCallViewSet)


@hooks.register("register_admin_viewset")
def register_partners_viewsets():
    return PartnersGroup()
