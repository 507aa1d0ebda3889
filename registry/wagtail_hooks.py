"""The registry in the Wagtail admin: audit action labels, menus and viewsets."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

AUDIT_ACTIONS = [
    ("registry.worker_create", _("新增服务员"), _("新增了服务员")),
    ("registry.worker_update", _("修改服务员信息"), _("修改了服务员信息")),
    ("registry.worker_photo", _("更换照片"), _("更换了服务员照片")),
    ("registry.worker_link_login", _("关联登录账户"), _("关联了服务员的登录账户")),
    ("registry.worker_change_phone", _("更换手机号"), _("更换了服务员的手机号")),
    ("registry.filing_submit", _("提交备案"), _("提交了备案")),
    ("registry.filing_start_review", _("开始审核"), _("开始审核备案")),
    ("registry.filing_approve", _("备案通过"), _("通过了备案")),
    ("registry.filing_reject", _("备案不通过"), _("驳回了备案")),
    ("registry.filing_return", _("退回修改"), _("退回备案要求修改")),
    ("registry.filing_withdraw", _("注销备案"), _("注销了备案")),
    ("registry.filing_transfer_in", _("转入备案"), _("提交了转入备案")),
    ("registry.transfer_request", _("申请转入"), _("有机构申请转入该服务员")),
    ("registry.transfer_confirm", _("确认转入"), _("服务员本人确认了转入")),
    ("registry.transfer_decline", _("拒绝转入"), _("服务员本人拒绝了转入")),
    ("registry.card_issue", _("发放家政卡"), _("发放了家政卡")),
    ("registry.card_issue_batch", _("集体领卡"), _("办理了集体领卡")),
    ("registry.employment_start", _("开始从业"), _("登记了从业经历")),
    ("registry.employment_end", _("结束从业"), _("结束了从业经历")),
    ("registry.credit_record_create", _("新增信用记录"), _("新增了信用记录")),
    ("registry.credit_record_expire", _("信用记录失效"), _("使信用记录失效")),
    ("registry.agency_create", _("新增企业"), _("新增了企业")),
    ("registry.branch_create", _("新增门店"), _("新增了门店")),
    ("registry.agency_staff_assign", _("指定企业员工"), _("指定了企业员工")),
    ("registry.regulator_profile_set", _("设置监管范围"), _("设置了监管范围")),
    ("registry.roster_import", _("导入花名册"), _("导入了花名册")),
    ("registry.insurance_add", _("录入责任保险"), _("录入了责任保险")),
    ("registry.visit_confirm", _("确认上门"), _("雇主确认了上门服务")),
    ("registry.rating_submit", _("提交评价"), _("雇主评价了上门服务")),
    ("registry.rating_moderate", _("审核评价"), _("审核了上门评价")),
    ("registry.rating_escalate", _("评价转信用记录"), _("把上门评价转为信用记录")),
]


@hooks.register("register_log_actions")
def register_registry_log_actions(actions):
    """Give the registry's audit actions their labels in Wagtail's history views."""
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)


# --- admin screens ----------------------------------------------------------

from django.db.models import Case, Q, When  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils.functional import cached_property  # noqa: E402

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet  # noqa: E402
from wagtail.admin.ui.tables import Column  # noqa: E402
from wagtail.admin.views.generic import IndexView  # noqa: E402
from wagtail.admin.viewsets.base import ViewSetGroup  # noqa: E402
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402
from wagtail.admin.widgets.button import HeaderButton  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

import django_filters  # noqa: E402

from lms.admin_scope import ReadOnlyPolicy, ScopedObjectsMixin  # noqa: E402
from registry.selectors.access import (  # noqa: E402
    agencies_visible_to,
    agency_staff_for_user,
    credit_records_visible_to,
    filings_visible_to,
    roster_imports_visible_to,
    user_is_regulator,
    user_is_reviewer,
    user_sees_all_workers,
    workers_visible_to,
)
from registry.selectors.filings import FILINGS_WAITING  # noqa: E402
from registry.selectors.insurance import insurances_visible_to  # noqa: E402
from registry.selectors.visits import service_visits_visible_to, visit_ratings_visible_to  # noqa: E402

from .models import (  # noqa: E402
    Agency,
    CardBatch,
    CreditRecord,
    District,
    Filing,
    FilingStatus,
    Insurance,
    RosterImport,
    ServiceVisit,
    VisitRating,
    Worker,
)


@hooks.register("register_admin_urls")
def register_registry_admin_urls():
    """Mount the registry's staff screens under /admin/registry/."""
    from . import admin_urls

    return [path("registry/", include((admin_urls, "registry_admin"), namespace="registry_admin"))]


for _model in (
    Filing,
    Worker,
    Agency,
    CreditRecord,
    RosterImport,
    CardBatch,
    Insurance,
    ServiceVisit,
    VisitRating,
):
    register_permission_policy(_model, ReadOnlyPolicy(_model), exact_class=True)


class VisibleIndexView(IndexView):
    """An index limited to what the user may see; rows link to the registry's own pages."""

    visible = None  # selector: user -> QuerySet
    related = ()

    def get_base_queryset(self):
        return type(self).visible(self.request.user).select_related(*self.related)

    def get_edit_url(self, instance):
        return self.detail_url(instance)

    def get_inspect_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def detail_url(self, instance):
        return None

    def extra_buttons(self):
        return []

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(label, url=url, icon_name=icon)
            for label, url, icon in self.extra_buttons()
        ]


class RegistryViewSet(ScopedObjectsMixin, ModelViewSet):
    """A read-only listing: no generic add/edit/delete forms (changes go through services).

    An object outside the index's rows is a 404 in every generic view, not a 302.
    """

    exclude_form_fields: list = []
    copy_view_enabled = False
    search_backend_name = None
    list_per_page = 50

    def visible_to(self, user):
        return self.index_view_class.visible(user)


def _agency_choices(request):
    if request is None:
        return Agency.objects.none()
    return agencies_visible_to(request.user).only("pk", "name")


#: The review queue's own status choices before the statuses: what a reviewer has
#: still to decide (the default), and everything.
FILING_WAITING = "waiting"
FILING_ANY = "any"


class FilingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[
            (FILING_WAITING, _("待审核（已提交、审核中）")),
            (FILING_ANY, _("全部")),
            *FilingStatus.choices,
        ],
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        label=_("对象"),
        choices=[("worker", _("家政服务员")), ("agency", _("家政企业"))],
        method="filter_kind",
    )
    district = django_filters.ChoiceFilter(
        label=_("所在区"), choices=District.choices, method="filter_district"
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("企业"), queryset=_agency_choices, method="filter_agency"
    )
    submitted_at = django_filters.DateFromToRangeFilter(
        label=_("提交日期"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Filing
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == FILING_WAITING:
            return queryset.filter(status__in=FILINGS_WAITING)
        if value == FILING_ANY:
            return queryset
        return queryset.filter(status=value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(worker__isnull=value != "worker")

    def filter_district(self, queryset, name, value):
        return queryset.filter(Q(filing_agency__district=value) | Q(agency__district=value))

    def filter_agency(self, queryset, name, value):
        # A worker filing belongs to the agency that made it, also after the worker moved.
        return queryset.filter(Q(filing_agency=value) | Q(agency=value))


class FilingIndexView(VisibleIndexView):
    visible = staticmethod(filings_visible_to)
    related = ("worker", "worker__agency", "filing_agency", "agency")
    default_ordering = "-submitted_at"

    def detail_url(self, instance):
        return reverse("registry_admin:filing_review", args=[instance.pk])

    def get_filterset_kwargs(self):
        # The queue opens on what is still to decide (待审核); "全部" shows everything.
        kwargs = super().get_filterset_kwargs()
        if "status" not in kwargs["data"]:
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"]["status"] = FILING_WAITING
        return kwargs

    def extra_buttons(self):
        if user_is_reviewer(self.request.user):
            return [(_("集体领卡"), reverse("registry_admin:batch_card"), "tasks")]
        return []


class FilingViewSet(RegistryViewSet):
    model = Filing
    icon = "tasks"
    menu_label = _("审核队列")
    name = "registry_filing"
    url_prefix = "registry/filings"
    index_view_class = FilingIndexView
    filterset_class = FilingFilterSet
    list_display = [
        "subject",
        "subject_agency",
        "subject_district",
        # "转入": the worker moved here from another agency (same person, same card).
        "kind",
        "status",
        "submitted_at",
    ]
    search_fields = ["worker__name", "worker__card_number", "agency__name"]
    search_backend_name = None


class WorkerFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("备案状态"), choices=FilingStatus.choices, method="filter_status"
    )
    has_card = django_filters.BooleanFilter(
        label=_("已发卡"), field_name="card_number", lookup_expr="isnull", exclude=True
    )
    district = django_filters.ChoiceFilter(
        label=_("所在区"), choices=District.choices, field_name="agency__district"
    )

    class Meta:
        model = Worker
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        # One filter() call, so one join: the current filing's status, each worker once.
        return queryset.filter(filings__is_current=True, filings__status=value)


class WorkerIndexView(VisibleIndexView):
    visible = staticmethod(workers_visible_to)
    related = ("agency", "branch")

    def detail_url(self, instance):
        return reverse("registry_admin:worker_detail", args=[instance.pk])

    def extra_buttons(self):
        if agency_staff_for_user(self.request.user) is None:
            return []
        return [
            (_("备案服务员"), reverse("registry_admin:worker_file"), "plus"),
            (_("上传花名册"), reverse("registry_admin:roster_upload"), "upload"),
        ]


class WorkerViewSet(RegistryViewSet):
    model = Worker
    icon = "user"
    menu_label = _("家政服务员")
    name = "registry_worker"
    url_prefix = "registry/workers"
    index_view_class = WorkerIndexView
    filterset_class = WorkerFilterSet
    list_display = [
        "__str__",
        "id_last4",
        "card_number",
        "agency",
        "created_at",
    ]
    search_fields = ["name", "card_number", "id_last4", "phone"]
    search_backend_name = None


class AgencyIndexView(VisibleIndexView):
    visible = staticmethod(agencies_visible_to)

    def get_base_queryset(self):
        # An agency has at most one filing: fetch its pk with the rows, not one query per row.
        filing = Filing.objects.filter(agency=OuterRef("pk")).values("pk")[:1]
        return super().get_base_queryset().annotate(filing_pk=Subquery(filing))

    def detail_url(self, instance):
        filing_pk = instance.filing_pk
        return reverse("registry_admin:filing_review", args=[filing_pk]) if filing_pk else None


class AgencyViewSet(RegistryViewSet):
    model = Agency
    icon = "home"
    menu_label = _("家政企业")
    name = "registry_agency"
    url_prefix = "registry/agencies"
    index_view_class = AgencyIndexView
    list_display = [
        "name",
        "credit_code",
        "district",
        "filing_status",
        "is_demonstration_station",
    ]
    list_filter = ["district", "filing_status", "is_demonstration_station"]
    search_fields = ["name", "credit_code"]
    search_backend_name = None


class CreditRecordIndexView(VisibleIndexView):
    visible = staticmethod(credit_records_visible_to)
    related = ("worker", "agency")

    def detail_url(self, instance):
        if instance.worker_id:
            return reverse("registry_admin:worker_detail", args=[instance.worker_id])
        return None

    def get_list_more_buttons(self, instance):
        from wagtail.admin.menu import MenuItem

        buttons = super().get_list_more_buttons(instance)
        if user_is_regulator(self.request.user):
            buttons.append(
                MenuItem(
                    _("使失效"),
                    url=reverse("registry_admin:credit_expire", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons

    def extra_buttons(self):
        if user_is_regulator(self.request.user):
            return [(_("新增信用记录"), reverse("registry_admin:credit_add"), "plus")]
        return []


class CreditRecordViewSet(RegistryViewSet):
    model = CreditRecord
    icon = "warning"
    menu_label = _("信用记录")
    name = "registry_creditrecord"
    url_prefix = "registry/credit"
    index_view_class = CreditRecordIndexView
    list_display = [
        "__str__",
        "kind",
        "source",
        "occurred_on",
        "expires_on",
        "is_public",
    ]
    list_filter = ["kind", "is_public"]


class RosterIndexView(VisibleIndexView):
    visible = staticmethod(roster_imports_visible_to)
    related = ("agency",)

    def detail_url(self, instance):
        return reverse("registry_admin:roster_detail", args=[instance.pk])

    def extra_buttons(self):
        if agency_staff_for_user(self.request.user) is None:
            return []
        return [(_("上传花名册"), reverse("registry_admin:roster_upload"), "upload")]


class RosterImportViewSet(RegistryViewSet):
    model = RosterImport
    icon = "doc-full"
    menu_label = _("花名册导入")
    name = "registry_roster"
    url_prefix = "registry/rosters"
    index_view_class = RosterIndexView
    list_display = [
        "original_name",
        "agency",
        "status",
        "created_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    copy_view_enabled = False


class CardBatchIndexView(VisibleIndexView):
    related = ("agency", "issued_by")

    @staticmethod
    def visible(user):
        if not user_is_reviewer(user) and not user_sees_all_workers(user):
            return CardBatch.objects.filter(agency__in=agencies_visible_to(user))
        return CardBatch.objects.all()

    def detail_url(self, instance):
        if user_is_reviewer(self.request.user):
            return reverse("registry_admin:batch_detail", args=[instance.pk])
        return None

    def extra_buttons(self):
        if user_is_reviewer(self.request.user):
            return [(_("集体领卡"), reverse("registry_admin:batch_card"), "plus")]
        return []


class CardBatchViewSet(RegistryViewSet):
    model = CardBatch
    icon = "tasks"
    menu_label = _("集体领卡")
    name = "registry_cardbatch"
    url_prefix = "registry/card-batches"
    index_view_class = CardBatchIndexView
    list_display = [
        "agency",
        "card_count",
        "collected_by",
        "issued_at",
    ]
    copy_view_enabled = False


# --- household trust -------------------------------------------------------------


class InsuranceIndexView(VisibleIndexView):
    visible = staticmethod(insurances_visible_to)

    def detail_url(self, instance):
        return reverse("registry_admin:worker_detail", args=[instance.worker_id])

    def extra_buttons(self):
        if self.request.user.has_perm("registry.add_insurance"):
            return [(_("录入保险"), reverse("registry_admin:insurance_add"), "plus")]
        return []


class InsuranceViewSet(RegistryViewSet):
    model = Insurance
    icon = "shield"
    menu_label = _("责任保险")
    name = "registry_insurance"
    url_prefix = "registry/insurance"
    index_view_class = InsuranceIndexView
    list_display = ["worker", "insurer", "masked_policy_number", "start_date", "end_date"]
    list_filter = ["end_date"]


class ServiceVisitIndexView(VisibleIndexView):
    visible = staticmethod(service_visits_visible_to)

    def detail_url(self, instance):
        return reverse("registry_admin:worker_detail", args=[instance.worker_id])


class ServiceVisitViewSet(RegistryViewSet):
    model = ServiceVisit
    icon = "home"
    menu_label = _("上门记录")
    name = "registry_servicevisit"
    url_prefix = "registry/visits"
    index_view_class = ServiceVisitIndexView
    list_display = [
        "worker",
        "service_category",
        "service_date",
        "district",
        "contact_masked",
        "scanned_via",
        "confirmed_at",
    ]
    list_filter = ["district", "scanned_via", "service_date"]


class VisitRatingIndexView(VisibleIndexView):
    """Agencies see their workers' ratings; regulators also get the moderation action."""

    visible = staticmethod(visit_ratings_visible_to)

    def get_base_queryset(self):
        qs = super().get_base_queryset()
        # The queue first: ratings no regulator has decided (their stars do not count
        # yet, comment or not), oldest first, then the rest.
        return qs.order_by(Case(When(moderated_at__isnull=True, then=0), default=1), "created_at")

    def detail_url(self, instance):
        if self.request.user.has_perm("registry.moderate_visitrating"):
            return reverse("registry_admin:rating_moderate", args=[instance.pk])
        return None


def _rating_worker(rating):
    return rating.visit.worker


class VisitRatingViewSet(RegistryViewSet):
    model = VisitRating
    icon = "pick"
    menu_label = _("上门评价")
    name = "registry_visitrating"
    url_prefix = "registry/ratings"
    index_view_class = VisitRatingIndexView
    list_display = [
        "__str__",
        Column("worker", label=_("服务员"), accessor=_rating_worker),
        "stars",
        "comment",
        "status",
        "credit_record",
        "created_at",
    ]
    list_filter = ["status", "stars"]


class RegistryViewSetGroup(ViewSetGroup):
    menu_label = _("备案登记")
    menu_icon = "group"
    menu_order = 200
    items = (
        FilingViewSet,
        WorkerViewSet,
        AgencyViewSet,
        CreditRecordViewSet,
        RosterImportViewSet,
        CardBatchViewSet,
        InsuranceViewSet,
        ServiceVisitViewSet,
        VisitRatingViewSet,
    )


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    """The registry's read-only listings, as one menu group."""
    return RegistryViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_registry_agency_panel(request, panels):
    """Agency staff: filings sent back, health checks running out, complaints, ratings."""
    from .panels import FilingsPanel, add_agency_panel

    add_agency_panel(request, panels, FilingsPanel)
