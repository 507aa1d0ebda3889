"""The agency's side of consent in the Wagtail admin: ask a worker it does not employ, wait
for the answer, and read the full record while the grant lasts. Anything outside the
staff account's own requests and open grants is a 404, as if it did not exist."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.http import private, private_answer
from registry.selectors.access import agency_staff_for_user
from registry.selectors.workers import worker_find_by_card_number

from . import services
from .models import ViewerKind, WorkerView
from .selectors.grants import agency_grant, agency_request, agency_requests, request_state
from .selectors.record import full_record, photo_of_worker
from .views import poll_seconds


class AskForm(forms.Form):
    card_number = forms.CharField(
        label=gettext_lazy("服务员的家政卡号"),
        max_length=20,
        help_text=gettext_lazy("请服务员出示家政卡；服务员会在自己手机上核对数字并决定是否同意。"),
    )


def _agency_or_403(user):
    membership = agency_staff_for_user(user)
    if membership is None:
        raise PermissionDenied
    return membership.agency


class ConsentAdminView(WagtailAdminTemplateMixin):
    header_icon = "view"

    def get_breadcrumbs_items(self):
        return []

    def dispatch(self, request, *args, **kwargs):
        self.agency = _agency_or_403(request.user)
        return private(super().dispatch(request, *args, **kwargs))


class IndexView(ConsentAdminView, FormView):
    """Ask a worker (by card number) to open their full record; this account's requests."""

    page_title = gettext_lazy("授权查看档案")
    template_name = "consent/admin/index.html"
    form_class = AskForm

    def form_valid(self, form):
        worker = worker_find_by_card_number(form.cleaned_data["card_number"])
        if worker is None:
            form.add_error("card_number", _("没有这个家政卡号，请核对后重新输入。"))
            return self.form_invalid(form)
        try:
            consent, _secret = services.consent_request_create(
                worker=worker,
                viewer_kind=ViewerKind.AGENCY,
                agency=self.agency,
                user=self.request.user,
                request=self.request,
            )
        except services.RequestRefused as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        return redirect("consent_admin:request", pk=consent.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for consent in agency_requests(self.request.user):
            grant = getattr(consent, "grant", None)
            rows.append({"consent": consent, "state": request_state(consent), "grant": grant})
        context.update(rows=rows, agency=self.agency)
        return context


class RequestView(ConsentAdminView, TemplateView):
    """One request: the matching number to read to the worker, until the answer."""

    page_title = gettext_lazy("等待服务员授权")
    template_name = "consent/admin/request.html"

    def get(self, request, *args, **kwargs):
        consent = agency_request(request.user, kwargs["pk"])
        if consent is None:
            raise Http404
        state = request_state(consent)
        if state == "approved":
            return redirect("consent_admin:grant", pk=consent.grant.pk)
        context = self.get_context_data(consent=consent, state=state, poll=poll_seconds())
        return self.render_to_response(context)


@private_answer
def request_status(request, pk: int):
    """The request page's small JSON: {"state": …}."""
    _agency_or_403(request.user)
    consent = agency_request(request.user, pk)
    if consent is None:
        raise Http404
    return JsonResponse({"state": request_state(consent)})


class GrantView(ConsentAdminView, TemplateView):
    """The full record, while the worker's grant to this account lasts; each view is logged."""

    template_name = "consent/admin/grant.html"

    def get(self, request, *args, **kwargs):
        grant = agency_grant(request.user, kwargs["pk"])
        if grant is None:
            raise Http404
        services.worker_views_record(
            workers=[grant.worker_id],
            kind=WorkerView.Kind.FULL_RECORD,
            viewer_kind=ViewerKind.AGENCY,
            viewer_label=self.agency.name,
            request=request,
        )
        record = full_record(grant.worker_id)
        context = self.get_context_data(
            grant=grant,
            record=record,
            photo_url=reverse("consent_admin:grant_photo", args=[grant.pk]),
        )
        return self.render_to_response(context)

    def get_page_title(self):
        return _("服务员完整档案")


@private_answer
def grant_photo(request, pk: int):
    """The worker's photo for an open grant of this account, else a 404."""
    _agency_or_403(request.user)
    grant = agency_grant(request.user, pk)
    photo = photo_of_worker(grant.worker_id) if grant else None
    if photo is None:
        raise Http404
    try:
        return FileResponse(photo.open("rb"), content_type="image/jpeg")
    except (OSError, ValueError):
        raise Http404 from None
