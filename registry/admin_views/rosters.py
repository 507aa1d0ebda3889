"""Roster screens (agency staff): upload a roster, follow its import, its errors, the template."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from registry.admin_views.common import (
    AgencyStaffFormMixin,
    RegistryAdminView,
    apply_errors,
    require_agency_staff,
)
from registry.forms import RosterUploadForm
from registry.models import ServiceCategory
from registry.roster import errors_csv, template_xlsx
from registry.selectors.access import roster_imports_visible_to
from registry.services.rosters import roster_import_create


class RosterUploadView(AgencyStaffFormMixin, RegistryAdminView, FormView):
    page_title = gettext_lazy("上传花名册")
    template_name = "registry/admin/roster_upload.html"
    form_class = RosterUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent"] = roster_imports_visible_to(self.request.user)[:10]
        context["categories"] = ServiceCategory.objects.all()
        return context

    def form_valid(self, form):
        try:
            roster = roster_import_create(
                agency=self.membership.agency,
                branch=form.cleaned_data.get("branch") or self.membership.branch,
                upload=form.cleaned_data["file"],
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return redirect("registry_admin:roster_detail", pk=roster.pk)


class RosterDetailView(RegistryAdminView, TemplateView):
    page_title = gettext_lazy("花名册导入")
    template_name = "registry/admin/roster_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = get_object_or_404(
            roster_imports_visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        context["roster"] = roster
        context["errors_shown"] = roster.errors[:200]
        return context


class RosterErrorsView(View):
    def get(self, request, pk):
        roster = get_object_or_404(roster_imports_visible_to(request.user), pk=pk)
        response = HttpResponse(errors_csv(roster.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}-errors.csv"'
        return response


class RosterTemplateView(View):
    def get(self, request):
        require_agency_staff(request)
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response
