"""Card batches (集体领卡, reviewers): issue an agency's cards together, the batch list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from registry.admin_views.common import RegistryAdminView, require_reviewer
from registry.forms import BatchCardForm
from registry.models import Agency, CardBatch, FilingStatus, Worker
from registry.selectors.access import agencies_visible_to
from registry.selectors.filings import workers_ready_for_cards
from registry.services.cards import card_issue_batch


class BatchCardView(RegistryAdminView, TemplateView):
    page_title = gettext_lazy("集体领卡")
    template_name = "registry/admin/batch_card.html"

    def dispatch(self, request, *args, **kwargs):
        require_reviewer(request)
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
        require_reviewer(self.request)
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(
            CardBatch.objects.select_related("agency", "issued_by"), pk=self.kwargs["pk"]
        )
        context["batch"] = batch
        context["cards"] = batch.cards.select_related("worker").order_by("number")
        return context
