"""Credit record screens (regulators): add a record, end one early."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from registry.admin_views.common import RegistryAdminView, apply_errors, require_regulator
from registry.forms import CreditRecordForm, ReasonForm
from registry.selectors.access import (
    agencies_visible_to,
    credit_records_visible_to,
    workers_visible_to,
)
from registry.selectors.workers import worker_find_by_id_number
from registry.services.credit import credit_record_create, credit_record_expire


class CreditRecordAddView(RegistryAdminView, FormView):
    page_title = gettext_lazy("新增信用记录")
    template_name = "registry/admin/form.html"
    form_class = CreditRecordForm

    def dispatch(self, request, *args, **kwargs):
        require_regulator(request)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        worker_pk = self.request.GET.get("worker")
        if worker_pk and worker_pk.isdigit():
            worker = workers_visible_to(self.request.user).filter(pk=worker_pk).first()
            if worker and worker.card_number:
                initial.update(subject="worker", card_number=worker.card_number)
        initial.setdefault("occurred_on", timezone.localdate())
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        worker = agency = None
        if data["subject"] == "worker":
            workers = workers_visible_to(user)
            if data.get("card_number"):
                worker = workers.filter(card_number=data["card_number"].strip().upper()).first()
            elif data.get("id_number"):
                found = worker_find_by_id_number(data["id_number"])
                worker = workers.filter(pk=found.pk).first() if found else None
            if worker is None:
                form.add_error("card_number", _("在您的监管范围内找不到这名服务员。"))
                return self.form_invalid(form)
        else:
            code = (data.get("credit_code") or "").strip().upper()
            agency = agencies_visible_to(user).filter(credit_code=code).first()
            if agency is None:
                form.add_error("credit_code", _("在您的监管范围内找不到这家企业。"))
                return self.form_invalid(form)
        try:
            credit_record_create(
                worker=worker,
                agency=agency,
                kind=data["kind"],
                source=data["source"],
                occurred_on=data["occurred_on"],
                expires_on=data.get("expires_on"),
                description=data["description"],
                is_public=data.get("is_public", False),
                acting_user=user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已新增信用记录。"))
        if worker is not None:
            return redirect("registry_admin:worker_detail", pk=worker.pk)
        return redirect("registry_creditrecord:index")


class CreditRecordExpireView(RegistryAdminView, FormView):
    page_title = gettext_lazy("使信用记录失效")
    template_name = "registry/admin/form.html"
    form_class = ReasonForm

    def dispatch(self, request, *args, **kwargs):
        require_regulator(request)
        self.record = get_object_or_404(
            credit_records_visible_to(request.user).select_related("worker", "agency"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = _(
            "记录：%(record)s（%(date)s）。失效后不再计入信用状况，但保留在历史中。"
        ) % {
            "record": str(self.record),
            "date": self.record.occurred_on.isoformat(),
        }
        context["submit_label"] = _("确认失效")
        return context

    def form_valid(self, form):
        try:
            credit_record_expire(
                record=self.record,
                acting_user=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("信用记录已失效，不再计入信用状况。"))
        if self.record.worker_id:
            return redirect("registry_admin:worker_detail", pk=self.record.worker_id)
        return redirect("registry_creditrecord:index")
