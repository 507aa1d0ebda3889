"""Staff screens in the Wagtail admin: the district regulator's queue and a complaint's
handling page, and the agency's list with its one answer. Every object outside the
user's scope is a 404, as one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.audit import audit_entries
from registry.selectors.access import agency_staff_for_user, user_is_regulator

from .forms import AgencyAnswerForm, CloseForm, InvestigateForm
from .models import Complaint, ComplaintPhoto
from .selectors.access import complaint_queue, complaints_handled_by, complaints_of_agency
from .services.handling import (
    complaint_agency_answer,
    complaint_close,
    complaint_start_investigation,
)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ComplaintAdminView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return []


class QueueView(ComplaintAdminView):
    """The regulator's queue, open complaints first and the nearest deadline first."""

    page_title = gettext_lazy("投诉办理")
    template_name = "complaints/admin/queue.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_is_regulator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        context.update(
            complaints=complaint_queue(self.request.user, status=status)[:500],
            status=status,
            statuses=[("open", _("未办结")), *Complaint.Status.choices, ("all", _("全部"))],
            today=timezone.localdate(),
        )
        return context


class DetailView(ComplaintAdminView):
    """One complaint: what the household wrote, photos, the agency's answer, the history
    with internal notes, and the forms for the next step."""

    template_name = "complaints/admin/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.complaint = get_object_or_404(
            complaints_handled_by(request.user).select_related("worker", "agency", "visit"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("投诉 %(number)s") % {"number": self.complaint.number}

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        forms = {"investigate": InvestigateForm, "close": CloseForm}
        if action not in forms:
            raise Http404
        form = forms[action](request.POST)
        if form.is_valid():
            try:
                if action == "investigate":
                    complaint_start_investigation(
                        complaint=self.complaint, acting_user=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("已开始调查，已短信告知投诉人。"))
                else:
                    complaint_close(
                        complaint=self.complaint, acting_user=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("投诉已办结，已短信告知投诉人。"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("complaints_admin:detail", pk=self.complaint.pk)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = self.complaint
        context.update(
            complaint=complaint,
            photos=list(complaint.photos.values_list("pk", "width", "height")),
            events=list(complaint.events.select_related("by")),
            credit_records=list(complaint.credit_records.all()),
            history=list(audit_entries(complaint)[:50]),
            investigate_form=kwargs.get("investigate_form") or InvestigateForm(),
            close_form=kwargs.get("close_form") or CloseForm(),
            overdue=not complaint.is_closed and complaint.due_on < timezone.localdate(),
        )
        return context


class PhotoView(View):
    """A complaint photo (or its thumbnail), for the regulators handling it only."""

    def get(self, request, pk: int, photo_pk: int, size: str = "full"):
        complaint = get_object_or_404(complaints_handled_by(request.user), pk=pk)
        photo = get_object_or_404(ComplaintPhoto, pk=photo_pk, complaint=complaint)
        data = photo.thumbnail if size == "thumb" else photo.image
        response = HttpResponse(bytes(data), content_type="image/jpeg")
        response["Cache-Control"] = "no-store, private"
        return response


class AgencyListView(ComplaintAdminView):
    """The agency's workspace list: complaints about it, with its answer or the answer form."""

    page_title = gettext_lazy("本企业被投诉")
    template_name = "complaints/admin/agency_list.html"

    def dispatch(self, request, *args, **kwargs):
        if agency_staff_for_user(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["complaints"] = complaints_of_agency(self.request.user).select_related("worker")[
            :200
        ]
        context["today"] = timezone.localdate()
        return context


class AgencyAnswerView(ComplaintAdminView):
    """The agency answers one complaint, once, within its answer days."""

    template_name = "complaints/admin/agency_answer.html"

    def dispatch(self, request, *args, **kwargs):
        self.complaint = get_object_or_404(
            complaints_of_agency(request.user).select_related("worker"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("答复投诉 %(number)s") % {"number": self.complaint.number}

    def post(self, request, *args, **kwargs):
        form = AgencyAnswerForm(request.POST)
        if form.is_valid():
            try:
                complaint_agency_answer(
                    complaint=self.complaint,
                    acting_user=request.user,
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("答复已提交。"))
                return redirect("complaints_admin:agency_list")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = self.complaint
        context.update(
            complaint=complaint,
            form=kwargs.get("form") or AgencyAnswerForm(),
            can_answer=complaint.agency_answered_at is None
            and not complaint.is_closed
            and timezone.localdate() <= complaint.agency_answer_due_on,
        )
        return context
