"""The certificates app in the Wagtail admin: audit labels and the "证书" menu.

Certificates are never added or edited as rows: every change goes through a
service (issue, revoke, reissue, renew), so the certificate viewset is read
only and its actions are separate, permission-checked views.
"""

from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.menus import MenuItem as ButtonMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from lms.admin_scope import ReadOnlyPolicy, ScopedObjectsMixin

from . import admin_views, door
from .models import Certificate, CertificateBatch, CertificateType
from .selectors.records import certificate_visible_to, certificates_visible_to

AUDIT_ACTIONS = [
    ("certificates.issue", _("发证"), _("发放了证书")),
    ("certificates.issue_refused", _("拒绝发证"), _("未能发证")),
    ("certificates.renew", _("换证"), _("换发了证书")),
    ("certificates.reissue", _("补发证书"), _("补发了证书")),
    ("certificates.supersede", _("证书被取代"), _("证书被新证书取代")),
    ("certificates.revoke", _("撤销证书"), _("撤销了证书")),
    ("certificates.type_regenerate", _("重新生成证书文件"), _("开始重新生成证书文件")),
    ("certificates.batch_issue", _("批量发证"), _("开始批量发证")),
]


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


register_permission_policy(Certificate, ReadOnlyPolicy(Certificate), exact_class=True)
register_permission_policy(CertificateBatch, ReadOnlyPolicy(CertificateBatch), exact_class=True)


# --- certificate types ------------------------------------------------------


class CertificateTypeIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("certificates.bulk_certificate"):
            buttons.append(
                ButtonMenuItem(
                    _("重新生成全部证书"),
                    url=reverse("certificates_type:regenerate", args=[instance.pk]),
                    icon_name="repeat",
                    priority=40,
                )
            )
        return buttons


class CertificateTypeViewSet(ModelViewSet):
    model = CertificateType
    icon = "doc-full"
    menu_label = _("证书类型")
    index_view_class = CertificateTypeIndexView
    list_display = ["name", "code", "issuing_authority", "validity_months", "renewal_rule"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("code"),
                FieldPanel("issuing_authority"),
                FieldPanel("validity_months"),
            ],
            heading=_("基本信息"),
        ),
        MultiFieldPanel(
            [FieldPanel("course"), FieldPanel("exam")],
            heading=_("取得条件"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("renewal_rule"),
                FieldPanel("refresher_course"),
                FieldPanel("renewal_window_days"),
            ],
            heading=_("换证"),
        ),
        MultiFieldPanel(
            [FieldPanel("pdf_title"), FieldPanel("pdf_wording"), FieldPanel("seal_image")],
            heading=_("证书样式"),
            help_text=_("修改后在列表中选“重新生成全部证书”，已发证书的文件才会更新。"),
        ),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/regenerate/", admin_views.regenerate, name="regenerate"),
        ]


# --- certificates -------------------------------------------------------------


def _status_label(certificate):
    return Certificate.Status(certificate.status_on(timezone.localdate())).label


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return certificates_visible_to(self.request.user)

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("打包下载"), url=reverse("certificates_certificate:zip"), icon_name="download"
            ),
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user
        if instance.is_current:
            buttons += [
                ButtonMenuItem(
                    _("下载证书"),
                    url=reverse("certificates_certificate:download", args=[instance.pk, "pdf"]),
                    icon_name="download",
                    priority=50,
                ),
                ButtonMenuItem(
                    _("下载卡片"),
                    url=reverse("certificates_certificate:download", args=[instance.pk, "card"]),
                    icon_name="download",
                    priority=51,
                ),
            ]
            if user.has_perm("certificates.reissue_certificate"):
                buttons.append(
                    ButtonMenuItem(
                        _("补发"),
                        url=reverse("certificates_certificate:reissue", args=[instance.pk]),
                        icon_name="copy",
                        priority=60,
                    )
                )
            if user.has_perm("certificates.revoke_certificate"):
                buttons.append(
                    ButtonMenuItem(
                        _("撤销"),
                        url=reverse("certificates_certificate:revoke", args=[instance.pk]),
                        icon_name="warning",
                        priority=70,
                    )
                )
        return buttons


class CertificateInspectView(InspectView):
    def get_object(self, queryset=None):
        certificate = certificate_visible_to(self.request.user, self.pk)
        if certificate is None:
            raise Http404
        return certificate


class CertificateViewSet(ScopedObjectsMixin, ModelViewSet):
    model = Certificate
    icon = "doc-full-inverse"
    menu_label = _("证书")
    form_fields = ["revoked_reason"]  # never shown: the policy refuses add and edit
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False

    def visible_to(self, user):
        return certificates_visible_to(user)

    list_display = [
        "number",
        Column("holder", label=_("持证人"), accessor=lambda c: c.worker.name),
        "type",
        Column("status", label=_("状态"), accessor=_status_label),
        "issued_on",
        "expires_on",
        "agency",
    ]
    list_filter = ["type", "origin", "issued_on", "expires_on"]
    search_fields = ["number"]
    inspect_view_fields = [
        "number",
        "revision",
        "type",
        "worker",
        "card_number",
        "agency",
        "issued_on",
        "expires_on",
        "origin",
        "revoked_at",
        "revoked_reason",
        "superseded_by",
        "created_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", admin_views.revoke, name="revoke"),
            path("<int:pk>/reissue/", admin_views.reissue, name="reissue"),
            path("<int:pk>/renew/", admin_views.renew, name="renew"),
            path(
                "<int:pk>/file/<str:kind>/",
                admin_views.download,
                name="download",
            ),
            path("zip/", admin_views.download_zip, name="zip"),
        ]


# --- bulk jobs ----------------------------------------------------------------


class BatchIndexView(IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("certificates.bulk_certificate"):
            buttons.append(
                HeaderButton(
                    _("批量发证"), url=reverse("certificates_batch:issue"), icon_name="plus"
                )
            )
        return buttons


def _progress(batch):
    return f"{batch.done + batch.failed}/{batch.total}（{batch.percent}%）"


class CertificateBatchViewSet(ModelViewSet):
    model = CertificateBatch
    icon = "tasks"
    menu_label = _("批量任务")
    form_fields = ["kind"]  # never shown: batches start from their own forms
    index_view_class = BatchIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "kind",
        "type",
        "state",
        Column("progress", label=_("进度"), accessor=_progress),
        "failed",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "state", "type"]
    inspect_view_fields = [
        "kind",
        "type",
        "agency",
        "passed_since",
        "state",
        "total",
        "done",
        "failed",
        "errors",
        "created_by",
        "created_at",
        "finished_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("issue/", admin_views.batch_issue, name="issue"),
        ]


class CertificatesGroup(ViewSetGroup):
    menu_label = _("证书")
    menu_icon = "doc-full-inverse"
    menu_order = 400
    items = (
        CertificateViewSet("certificates_certificate", url_prefix="certificates/certificates"),
        CertificateTypeViewSet("certificates_type", url_prefix="certificates/types"),
        CertificateBatchViewSet("certificates_batch", url_prefix="certificates/batches"),
    )


@hooks.register("register_admin_viewset")
def register_certificates_viewsets():
    return CertificatesGroup()


# --- the door status on the registry's public trace -------------------------


@hooks.register("registry_worker_door_status")
def registry_worker_door_status(workers):
    """The registry (a lower app) asks for door colours through this hook."""
    return door.door_status_for_workers(workers)


@hooks.register("registry_workers_door_may_change")
def registry_workers_door_may_change(worker_ids):
    """The registry changed these workers: announce their door colours that changed, in the
    change's transaction (the registry cannot judge the colour itself)."""
    from .door_events import door_changes_announce

    door_changes_announce(worker_ids)


@hooks.register("construct_homepage_panels")
def add_certificates_agency_panel(request, panels):
    """Agency staff: certificates running out, yellow and red door codes."""
    from registry.panels import add_agency_panel

    from .panels import CertificatesPanel

    add_agency_panel(request, panels, CertificatesPanel)
