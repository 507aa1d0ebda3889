"""What the registry's staff screens share: the admin page base, role checks, form errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from registry.models import Worker
from registry.selectors.access import (
    agency_staff_for_user,
    user_is_regulator,
    user_is_reviewer,
    workers_visible_to,
)


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where the form has the field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RegistryAdminView(WagtailAdminTemplateMixin):
    header_icon = "group"
    breadcrumbs_items: list = []

    def get_breadcrumbs_items(self):
        return []


def require_agency_staff(request):
    """The signed-in agency staff member's membership; PermissionDenied for anyone else."""
    membership = agency_staff_for_user(request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def require_reviewer(request):
    """PermissionDenied unless the signed-in user reviews filings."""
    if not user_is_reviewer(request.user):
        raise PermissionDenied


def require_regulator(request):
    """PermissionDenied unless the signed-in user is a regulator."""
    if not user_is_regulator(request.user):
        raise PermissionDenied


def visible_worker(request, pk) -> Worker:
    """The worker `pk` if the user may see it, else 404 (never a 403 that confirms it exists)."""
    return get_object_or_404(
        workers_visible_to(request.user).select_related("agency", "branch"), pk=pk
    )


class AgencyStaffFormMixin:
    """A form for the signed-in agency staff member, scoped to their agency and branch."""

    def dispatch(self, request, *args, **kwargs):
        self.membership = require_agency_staff(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agency"] = self.membership.agency
        kwargs["branch"] = self.membership.branch
        return kwargs
