"""Household trust screens: insurance entry (agency staff), rating moderation (regulators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from registry.admin_views.common import RegistryAdminView, apply_errors
from registry.forms import InsuranceForm, RatingModerationForm
from registry.selectors.access import workers_visible_to
from registry.selectors.visits import visit_ratings_visible_to
from registry.services.insurance import insurance_add
from registry.services.visits import rating_escalate_to_credit_record, rating_moderate


class InsuranceAddView(RegistryAdminView, FormView):
    """Agency staff (or anyone allowed) enter a worker's liability insurance."""

    page_title = gettext_lazy("录入责任保险")
    template_name = "registry/admin/form.html"
    form_class = InsuranceForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("registry.add_insurance"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["workers"] = workers_visible_to(self.request.user).order_by("name")
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        worker_pk = self.request.GET.get("worker", "")
        if worker_pk.isdigit():
            initial["worker"] = worker_pk
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            insurance_add(
                worker=data["worker"],
                insurer=data["insurer"],
                policy_number=data["policy_number"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已录入责任保险。"))
        return redirect("registry_insurance:index")


class RatingModerateView(RegistryAdminView, FormView):
    """A regulator approves or rejects a rating, or turns it into a credit record."""

    page_title = gettext_lazy("审核上门评价")
    template_name = "registry/admin/rating_moderate.html"
    form_class = RatingModerationForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("registry.moderate_visitrating"):
            raise PermissionDenied
        self.rating = get_object_or_404(visit_ratings_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rating"] = self.rating
        return context

    def form_valid(self, form):
        decision = form.cleaned_data["decision"]
        note = form.cleaned_data["note"]
        try:
            if decision == "escalate":
                rating_escalate_to_credit_record(
                    rating=self.rating,
                    acting_user=self.request.user,
                    description=note,
                    kind=form.cleaned_data["kind"],
                )
                messages.success(self.request, _("已转为信用记录。"))
            else:
                rating_moderate(
                    rating=self.rating,
                    approve=decision == "approve",
                    acting_user=self.request.user,
                    note=note,
                )
                messages.success(self.request, _("已审核。"))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return redirect("registry_visitrating:index")
