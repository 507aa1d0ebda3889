"""Thin views: public lookups (served by Wagtail pages) and the worker's own record."""

import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language

from lms.ratelimit import public_lookup_limit

from . import selectors
from .forms import AgencyCreditLookupForm, WorkerTraceLookupForm
from .public import public_agency, public_trace_cache_key, public_worker


@public_lookup_limit
def _count_worker_lookup(request):
    """Counts one worker lookup against the client's budget (raises Ratelimited when over)."""


@public_lookup_limit
def _count_agency_lookup(request):
    """Counts one agency lookup against the client's budget (raises Ratelimited when over)."""


def _private(response):
    # Results are personal data: never stored by shared caches, never indexed.
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response


def _lookup_cache_seconds() -> int:
    """Seconds a card-number lookup stays cached (0 turns the cache off)."""
    default = int(os.environ.get("REGISTRY_LOOKUP_CACHE_SECONDS", "60"))
    return getattr(settings, "REGISTRY_LOOKUP_CACHE_SECONDS", default)


def worker_trace_lookup(request, *, page):
    """Worker traceability: by card number, or name + ID tail. A miss looks like a hit."""
    searched = any(request.GET.get(k) for k in ("card_number", "name", "id_last4"))
    form = WorkerTraceLookupForm(request.GET if searched else None)
    if not searched:
        return TemplateResponse(
            request,
            "registry/worker_trace_lookup_page.html",
            {"page": page, "self": page, "form": form, "searched": False, "results": None},
        )
    _count_worker_lookup(request)
    cache_key = None
    if form.is_valid() and form.cleaned_data["card_number"] and _lookup_cache_seconds():
        published = page.last_published_at.timestamp() if page.last_published_at else 0
        cache_key = public_trace_cache_key(
            page_key=f"{page.pk}.{published:.0f}",
            language=get_language() or "",
            card_number=form.cleaned_data["card_number"],
        )
        cached = cache.get(cache_key)
        if cached is not None:
            return _private(HttpResponse(cached))
    results = None
    if form.is_valid():
        workers = selectors.worker_trace_lookup(
            card_number=form.cleaned_data["card_number"],
            name=form.cleaned_data["name"],
            id_last4=form.cleaned_data["id_last4"],
        )
        today = timezone.localdate()
        results = [public_worker(w, today=today) for w in workers]
        # The typed name is not echoed back into the page.
        form = WorkerTraceLookupForm()
    context = {"page": page, "self": page, "form": form, "searched": True, "results": results}
    response = TemplateResponse(request, "registry/worker_trace_lookup_page.html", context)
    if cache_key is not None:
        response.render()
        cache.set(cache_key, response.content, _lookup_cache_seconds())
    return _private(response)


def agency_credit_lookup(request, *, page):
    """Agency credit: by name or unified social credit code."""
    searched = bool(request.GET.get("q"))
    form = AgencyCreditLookupForm(request.GET if searched else None)
    results = None
    if searched:
        _count_agency_lookup(request)
        if form.is_valid():
            today = timezone.localdate()
            results = [
                public_agency(a, today=today)
                for a in selectors.agency_credit_lookup(query=form.cleaned_data["q"])
            ]
    context = {"page": page, "self": page, "form": form, "searched": searched, "results": results}
    response = TemplateResponse(request, "registry/agency_credit_lookup_page.html", context)
    return _private(response) if searched else response


@login_required
def my_record(request):
    """The signed-in worker's own filing, card, employment and credit (/me/record/)."""
    worker = selectors.worker_for_user(request.user)
    if worker is None:
        raise Http404
    worker = selectors.worker_own_record(worker)
    filing = selectors.worker_filing(worker)
    today = timezone.localdate()
    context = {
        "worker": worker,
        "filing": filing,
        "transitions": list(filing.transitions.all()) if filing else [],
        "employments": selectors.worker_employment_history(worker),
        "standing": selectors.worker_credit_standing(worker, public_only=True, today=today),
        "health_valid": selectors.worker_health_check_valid(worker, today=today),
        "today": today,
    }
    return _private(render(request, "registry/my_record.html", context))
