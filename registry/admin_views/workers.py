"""Worker screens: file a worker (agency staff), the worker page, corrections, actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from lms.audit import audit_entries
from registry.admin_views.common import (
    AgencyStaffFormMixin,
    RegistryAdminView,
    apply_errors,
    require_agency_staff,
    require_reviewer,
    visible_worker,
)
from registry.forms import ReasonForm, WorkerFilingForm
from registry.models import FilingStatus
from registry.selectors.access import agency_staff_for_user, user_is_regulator, user_is_reviewer
from registry.selectors.credit import worker_credit_standing
from registry.selectors.filings import worker_filing
from registry.selectors.workers import worker_current_employment, worker_employment_history
from registry.services.cards import card_issue
from registry.services.employment import employment_end, employment_start
from registry.services.filings import filing_resubmit
from registry.services.workers import worker_create, worker_set_photo, worker_update


class WorkerFileView(AgencyStaffFormMixin, RegistryAdminView, FormView):
    page_title = gettext_lazy("备案服务员")
    template_name = "registry/admin/form.html"
    form_class = WorkerFilingForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["multipart"] = True
        context["submit_label"] = _("提交备案")
        context["intro"] = _("为 %(agency)s 备案一名家政服务员。提交后由登记注册站审核。") % {
            "agency": self.membership.agency.name
        }
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        photo = data.get("photo")
        try:
            worker = worker_create(
                name=data["name"],
                id_number=data["id_number"],
                phone=data.get("phone", ""),
                agency=self.membership.agency,
                branch=data.get("branch") or self.membership.branch,
                service_categories=data.get("service_categories") or (),
                health_check_date=data.get("health_check_date"),
                health_check_expiry=data.get("health_check_expiry"),
                photo=photo.read() if photo else None,
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已提交备案：%(name)s。") % {"name": worker.name})
        return redirect("registry_admin:worker_detail", pk=worker.pk)


class WorkerDetailView(RegistryAdminView, TemplateView):
    template_name = "registry/admin/worker_detail.html"

    def get_page_title(self):
        return _("服务员档案")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker = visible_worker(self.request, self.kwargs["pk"])
        filing = worker_filing(worker)
        user = self.request.user
        is_reviewer = user_is_reviewer(user)
        context.update(
            worker=worker,
            filing=filing,
            transitions=list(filing.transitions.select_related("actor")) if filing else [],
            employments=worker_employment_history(worker),
            current_employment=worker_current_employment(worker),
            standing=worker_credit_standing(worker),
            records=worker.credit_records.all(),
            is_reviewer=is_reviewer,
            is_regulator=user_is_regulator(user),
            is_agency_staff=agency_staff_for_user(user) is not None,
            # Reviewers compare the full number with the ID card; others see it masked.
            id_display=worker.id_number if is_reviewer else worker.masked_id_number,
            can_issue_card=is_reviewer
            and filing is not None
            and filing.status == FilingStatus.APPROVED
            and not worker.card_number,
            reason_form=ReasonForm(),
            history=audit_entries(worker)[:20],
            today=timezone.localdate(),
        )
        return context


class WorkerEditView(RegistryAdminView, FormView):
    page_title = gettext_lazy("修改服务员信息")
    template_name = "registry/admin/form.html"
    form_class = WorkerFilingForm

    def dispatch(self, request, *args, **kwargs):
        self.membership = require_agency_staff(request)
        self.worker = visible_worker(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The ID number cannot be corrected: a wrong number is a new filing.
        del form.fields["id_number"]
        return form

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agency"] = self.membership.agency
        kwargs["branch"] = self.membership.branch
        return kwargs

    def get_initial(self):
        w = self.worker
        return {
            "name": w.name,
            "phone": w.phone,
            "branch": w.branch_id,
            "service_categories": list(w.service_categories.all()),
            "health_check_date": w.health_check_date,
            "health_check_expiry": w.health_check_expiry,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["multipart"] = True
        context["submit_label"] = _("保存")
        filing = worker_filing(self.worker)
        if filing and filing.status == FilingStatus.RETURNED:
            context["intro"] = _("审核意见：%(reason)s。改好后回到档案页重新提交。") % {
                "reason": filing.reason
            }
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            worker_update(
                worker=self.worker,
                acting_user=self.request.user,
                name=data["name"],
                phone=data.get("phone", ""),
                branch=data.get("branch") or self.membership.branch,
                service_categories=data.get("service_categories") or [],
                health_check_date=data.get("health_check_date"),
                health_check_expiry=data.get("health_check_expiry"),
            )
            if data.get("photo"):
                worker_set_photo(
                    worker=self.worker, data=data["photo"].read(), acting_user=self.request.user
                )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("registry_admin:worker_detail", pk=self.worker.pk)


class WorkerActionView(View):
    """POST-only actions on one worker: resubmit, issue card, start/end employment."""

    def post(self, request, pk, action):
        worker = visible_worker(request, pk)
        filing = worker_filing(worker)
        user = request.user
        try:
            if action == "resubmit":
                require_agency_staff(request)
                if filing is None:
                    raise Http404
                filing_resubmit(filing=filing, acting_user=user)
                messages.success(request, _("已重新提交备案。"))
            elif action == "card":
                require_reviewer(request)
                card = card_issue(worker=worker, acting_user=user)
                messages.success(request, _("已发卡，卡号 %(card)s。") % {"card": card.number})
            elif action == "employment-start":
                membership = require_agency_staff(request)
                employment_start(
                    worker=worker,
                    agency=membership.agency,
                    branch=membership.branch or worker.branch,
                    start_date=_parse_date(request.POST.get("date")),
                    acting_user=user,
                )
                messages.success(request, _("已登记从业经历。"))
            elif action == "employment-end":
                require_agency_staff(request)
                current = worker_current_employment(worker)
                if current is None:
                    raise Http404
                employment_end(
                    employment=current,
                    end_date=_parse_date(request.POST.get("date")),
                    acting_user=user,
                )
                messages.success(request, _("已结束从业经历。"))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("registry_admin:worker_detail", pk=worker.pk)


def _parse_date(value):
    import datetime

    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_("请填写正确的日期，例如 2025-03-01。")) from None
