"""Staff screens of the registry inside the Wagtail admin (second factor enforced there).

Thin views: each finds its object through a ``*_visible_to(user)`` selector
(so another agency's worker is a 404, not a 403 that confirms it exists),
checks the role, and calls one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.audit import audit_entries
from registry.selectors.access import (
    agencies_visible_to,
    agency_staff_for_user,
    credit_records_visible_to,
    filings_visible_to,
    roster_imports_visible_to,
    user_is_regulator,
    user_is_reviewer,
    workers_visible_to,
)
from registry.selectors.credit import agency_credit_standing, worker_credit_standing
from registry.selectors.filings import filing_next_waiting, worker_filing, workers_ready_for_cards
from registry.selectors.visits import visit_ratings_visible_to
from registry.selectors.workers import (
    worker_current_employment,
    worker_employment_history,
    worker_find_by_id_number,
)
from registry.services.cards import card_issue, card_issue_batch
from registry.services.credit import credit_record_create, credit_record_expire
from registry.services.employment import employment_end, employment_start
from registry.services.filings import (
    filing_allowed_targets,
    filing_approve,
    filing_reject,
    filing_resubmit,
    filing_return,
    filing_start_review,
    filing_withdraw,
)
from registry.services.insurance import insurance_add
from registry.services.rosters import roster_import_create
from registry.services.visits import rating_escalate_to_credit_record, rating_moderate
from registry.services.workers import worker_create, worker_set_photo, worker_update

from .forms import (
    BatchCardForm,
    CreditRecordForm,
    InsuranceForm,
    RatingModerationForm,
    ReasonForm,
    RosterUploadForm,
    WorkerFilingForm,
)
from .models import Agency, FilingStatus, ServiceCategory, Worker
from .roster import errors_csv, template_xlsx


def _apply_errors(form, exc: ValidationError) -> None:
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


def _require_agency_staff(request):
    membership = agency_staff_for_user(request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def _require_reviewer(request):
    if not user_is_reviewer(request.user):
        raise PermissionDenied


def _require_regulator(request):
    if not user_is_regulator(request.user):
        raise PermissionDenied


def _visible_worker(request, pk) -> Worker:
    return get_object_or_404(
        workers_visible_to(request.user).select_related("agency", "branch"), pk=pk
    )


class AgencyStaffFormMixin:
    """A form for the signed-in agency staff member, scoped to their agency and branch."""

    def dispatch(self, request, *args, **kwargs):
        self.membership = _require_agency_staff(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agency"] = self.membership.agency
        kwargs["branch"] = self.membership.branch
        return kwargs


# --- agency staff: file a worker, roster upload -----------------------------


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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已提交备案：%(name)s。") % {"name": worker.name})
        return redirect("registry_admin:worker_detail", pk=worker.pk)


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
            _apply_errors(form, exc)
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
        _require_agency_staff(request)
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response


# --- worker detail and actions ----------------------------------------------


class WorkerDetailView(RegistryAdminView, TemplateView):
    template_name = "registry/admin/worker_detail.html"

    def get_page_title(self):
        return _("服务员档案")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker = _visible_worker(self.request, self.kwargs["pk"])
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
        self.membership = _require_agency_staff(request)
        self.worker = _visible_worker(request, kwargs["pk"])
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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("registry_admin:worker_detail", pk=self.worker.pk)


class WorkerActionView(View):
    """POST-only actions on one worker: resubmit, issue card, start/end employment."""

    def post(self, request, pk, action):
        worker = _visible_worker(request, pk)
        filing = worker_filing(worker)
        user = request.user
        try:
            if action == "resubmit":
                _require_agency_staff(request)
                if filing is None:
                    raise Http404
                filing_resubmit(filing=filing, acting_user=user)
                messages.success(request, _("已重新提交备案。"))
            elif action == "card":
                _require_reviewer(request)
                card = card_issue(worker=worker, acting_user=user)
                messages.success(request, _("已发卡，卡号 %(card)s。") % {"card": card.number})
            elif action == "employment-start":
                membership = _require_agency_staff(request)
                employment_start(
                    worker=worker,
                    agency=membership.agency,
                    branch=membership.branch or worker.branch,
                    start_date=_parse_date(request.POST.get("date")),
                    acting_user=user,
                )
                messages.success(request, _("已登记从业经历。"))
            elif action == "employment-end":
                _require_agency_staff(request)
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


# --- reviewers ------------------------------------------------------------------

REVIEW_ACTIONS = {
    "start_review": filing_start_review,
    "approve": filing_approve,
    "reject": filing_reject,
    "return": filing_return,
    "withdraw": filing_withdraw,
}


class FilingReviewView(RegistryAdminView, TemplateView):
    template_name = "registry/admin/filing_review.html"

    def get_page_title(self):
        return _("审核备案")

    def dispatch(self, request, *args, **kwargs):
        self.filing = get_object_or_404(
            filings_visible_to(request.user).select_related(
                "worker", "worker__agency", "worker__branch", "agency"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filing = self.filing
        is_reviewer = user_is_reviewer(self.request.user)
        allowed = filing_allowed_targets(filing)
        context.update(
            filing=filing,
            worker=filing.worker,
            agency=filing.agency,
            is_reviewer=is_reviewer,
            id_display=(filing.worker.id_number if is_reviewer else filing.worker.masked_id_number)
            if filing.worker_id
            else "",
            transitions=list(filing.transitions.select_related("actor")),
            can={
                "start_review": FilingStatus.UNDER_REVIEW in allowed,
                "approve": FilingStatus.APPROVED in allowed,
                "reject": FilingStatus.REJECTED in allowed,
                "return": FilingStatus.RETURNED in allowed,
                "withdraw": FilingStatus.WITHDRAWN in allowed,
            },
            reason_form=kwargs.get("reason_form") or ReasonForm(),
            standing=worker_credit_standing(filing.worker)
            if filing.worker_id
            else agency_credit_standing(filing.agency),
            next_filing=self._next_filing() if is_reviewer else None,
        )
        return context

    def _next_filing(self):
        """The next filing waiting in the queue (下一份), for reviewers working through it."""
        return filing_next_waiting(user=self.request.user, after=self.filing)

    def post(self, request, pk):
        _require_reviewer(request)
        action = request.POST.get("action", "")
        service = REVIEW_ACTIONS.get(action)
        if service is None:
            raise Http404
        form = ReasonForm(request.POST)
        form.is_valid()
        kwargs = {"filing": self.filing, "acting_user": request.user}
        if action in ("reject", "return", "withdraw", "approve"):
            kwargs["reason"] = form.cleaned_data.get("reason", "")
        try:
            service(**kwargs)
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(reason_form=form))
        messages.success(
            request,
            _("备案状态已改为“%(status)s”。") % {"status": self.filing.get_status_display()},
        )
        next_url = reverse("registry_admin:filing_review", args=[self.filing.pk])
        return HttpResponseRedirect(next_url)


class BatchCardView(RegistryAdminView, TemplateView):
    page_title = gettext_lazy("集体领卡")
    template_name = "registry/admin/batch_card.html"

    def dispatch(self, request, *args, **kwargs):
        _require_reviewer(request)
        return super().dispatch(request, *args, **kwargs)

    def _agency(self):
        pk = self.request.GET.get("agency") or self.request.POST.get("agency")
        if not pk or not str(pk).isdigit():
            return None
        return get_object_or_404(agencies_visible_to(self.request.user), pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = self._agency()
        context["agency"] = agency
        context["agencies"] = Agency.objects.filter(
            workers__filings__is_current=True,
            workers__filings__status=FilingStatus.APPROVED,
            workers__card_number__isnull=True,
        ).distinct()
        context["waiting"] = list(workers_ready_for_cards(agency=agency)[:500]) if agency else []
        context["form"] = kwargs.get("form") or BatchCardForm()
        return context

    def post(self, request):
        agency = self._agency()
        if agency is None:
            raise Http404
        form = BatchCardForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        ids = [int(i) for i in request.POST.getlist("worker") if i.isdigit()]
        workers = list(Worker.objects.filter(pk__in=ids)) if ids else None
        try:
            batch = card_issue_batch(
                agency=agency,
                acting_user=request.user,
                workers=workers,
                collected_by=form.cleaned_data["collected_by"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(f"{reverse('registry_admin:batch_card')}?agency={agency.pk}")
        messages.success(request, _("已发卡 %(n)d 张。") % {"n": batch.card_count})
        return redirect("registry_admin:batch_detail", pk=batch.pk)


class BatchDetailView(RegistryAdminView, TemplateView):
    page_title = gettext_lazy("集体领卡清单")
    template_name = "registry/admin/batch_detail.html"

    def get_context_data(self, **kwargs):
        from .models import CardBatch

        _require_reviewer(self.request)
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(
            CardBatch.objects.select_related("agency", "issued_by"), pk=self.kwargs["pk"]
        )
        context["batch"] = batch
        context["cards"] = batch.cards.select_related("worker").order_by("number")
        return context


# --- regulators: credit records ---------------------------------------------


class CreditRecordAddView(RegistryAdminView, FormView):
    page_title = gettext_lazy("新增信用记录")
    template_name = "registry/admin/form.html"
    form_class = CreditRecordForm

    def dispatch(self, request, *args, **kwargs):
        _require_regulator(request)
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
            _apply_errors(form, exc)
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
        _require_regulator(request)
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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("信用记录已失效，不再计入信用状况。"))
        if self.record.worker_id:
            return redirect("registry_admin:worker_detail", pk=self.record.worker_id)
        return redirect("registry_creditrecord:index")


# --- household trust: insurance entry and the rating moderation queue ----------------


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
            _apply_errors(form, exc)
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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        return redirect("registry_visitrating:index")
