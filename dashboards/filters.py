"""Filters of the staff progress report (django-filter, as Wagtail's listings use).

Every choice list is built from the user's scope (``scope``, as
``selectors.scope.scope_for`` gives it), so a crafted value naming another
agency's branch is simply not a valid choice: the filter form is invalid and
the listing stays within the scope. Without a scope no branch or agency is a
valid choice.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet

import django_filters

from certificates import door
from courses import selectors as course_selectors
from courses.models import Enrolment
from registry.models import District, FilingStatus, ServiceCategory, Worker

CERTIFICATE_STATES = [
    ("valid", _("有效")),
    ("expired", _("已过期")),
    ("revoked", _("已撤销")),
    ("none", _("无证书")),
]


class ProgressReportFilterSet(WagtailFilterSet):
    branch = django_filters.ModelChoiceFilter(
        label=_("门店"), queryset=None, method="filter_branch", empty_label=_("全部门店")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("服务类别"),
        queryset=ServiceCategory.objects.all(),
        method="filter_category",
        empty_label=_("全部类别"),
    )
    filing_status = django_filters.ChoiceFilter(
        label=_("备案状态"), choices=FilingStatus.choices, field_name="filing_status"
    )
    course = django_filters.ModelChoiceFilter(
        label=_("课程"), queryset=None, method="filter_course", empty_label=_("全部课程")
    )
    certificate = django_filters.ChoiceFilter(
        label=_("证书状态"), choices=CERTIFICATE_STATES, method="filter_certificate"
    )
    expiring_within = django_filters.NumberFilter(
        label=_("证书在几天内到期"),
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"min": 0, "max": 3650}),
    )
    health_within = django_filters.NumberFilter(
        label=_("体检在几天内到期（含已过期）"),
        method="filter_health",
        min_value=0,
        max_value=3650,
    )

    class Meta:
        model = Worker
        fields: list = []

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None:
            self.filters["branch"].queryset = scope.branches()
        else:
            self.filters["branch"].queryset = self.filters["branch"].queryset.none()
        self.filters["course"].queryset = course_selectors.courses_for_choice()
        self.filters["door"] = django_filters.ChoiceFilter(
            label=_("上门码颜色"),
            choices=list(door.DOOR_SHORT_LABELS.items()),
            method="filter_door",
        )
        if scope is not None and scope.is_regulator:
            if not scope.district:
                self.filters["district"] = django_filters.ChoiceFilter(
                    label=_("区"), choices=District.choices, field_name="agency__district"
                )
            self.filters["agency"] = django_filters.ModelChoiceFilter(
                label=_("企业"), queryset=scope.agencies.order_by("name"), field_name="agency"
            )

    @property
    def today(self) -> datetime.date:
        return timezone.localdate()

    def filter_branch(self, queryset, name, value):
        return queryset.filter(branch=value) if value else queryset

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=value.workers.values("pk"))

    def filter_course(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Enrolment.objects.filter(worker=OuterRef("pk"), course=value))
        )

    def filter_certificate(self, queryset, name, value):
        today = self.today
        if value == "valid":
            return queryset.filter(has_valid_certificate=True)
        if value == "expired":
            return queryset.filter(
                certificate_revoked_at__isnull=True, certificate_expires_on__lt=today
            )
        if value == "revoked":
            return queryset.filter(certificate_revoked_at__isnull=False)
        if value == "none":
            return queryset.filter(certificate_id__isnull=True)
        return queryset

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        today = self.today
        return queryset.filter(
            certificate_revoked_at__isnull=True,
            certificate_expires_on__gte=today,
            certificate_expires_on__lte=today + datetime.timedelta(days=int(value)),
        )

    def filter_health(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            health_check_expiry__lte=self.today + datetime.timedelta(days=int(value))
        )

    def filter_door(self, queryset, name, value):
        if not value:
            return queryset
        colour = door.door_colour_expression(today=self.today)
        return queryset.alias(door_colour=colour).filter(door_colour=value)
