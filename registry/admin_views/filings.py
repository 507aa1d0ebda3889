"""The reviewer's filing screen: decide a filing, then go on to the next waiting one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from registry.admin_views.common import RegistryAdminView, apply_errors, require_reviewer
from registry.forms import ReasonForm
from registry.models import FilingStatus
from registry.selectors.access import filings_visible_to, user_is_reviewer
from registry.selectors.credit import agency_credit_standing, worker_credit_standing
from registry.selectors.filings import filing_next_waiting
from registry.services.filings import (
    filing_allowed_targets,
    filing_approve,
    filing_reject,
    filing_return,
    filing_start_review,
    filing_withdraw,
)

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
        require_reviewer(request)
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
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(reason_form=form))
        messages.success(
            request,
            _("备案状态已改为“%(status)s”。") % {"status": self.filing.get_status_display()},
        )
        next_url = reverse("registry_admin:filing_review", args=[self.filing.pk])
        return HttpResponseRedirect(next_url)
