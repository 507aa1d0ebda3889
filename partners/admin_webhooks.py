"""The admin screens of a partner's webhook endpoints (city regulators only): list, add
(the secret shown once), rotate the secret (the new one shown once), disable, enable,
delete, the recent deliveries of an endpoint, and a replay of a range of events.

Every change is a POST (CSRF) through ``partners.webhooks.services``; refusals are
messages in Chinese. A page showing a secret is marked private (no cache keeps it).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.http import private
from lms.outbox import EventType

from .admin_views import managed_partner
from .forms import (
    WebhookDeliveryFilterForm,
    WebhookDisableForm,
    WebhookEndpointForm,
    WebhookReplayForm,
)
from .models import WebhookDelivery, WebhookEndpoint
from .webhooks.selectors import deliveries_of, endpoints_of
from .webhooks.services import (
    WebhookRefused,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_rotate_secret,
    replay,
)

DELIVERIES_PER_PAGE = 50


def _endpoint(partner, endpoint_pk) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, partner=partner, pk=endpoint_pk)


def _context(partner, title: str, **more) -> dict:
    return {
        "page_title": title,
        "page_subtitle": partner.name,
        "header_icon": "link",
        "partner": partner,
        **more,
    }


def _type_labels(endpoint) -> list[str]:
    return [str(EventType.LABELS.get(t, t)) for t in endpoint.types]


def webhooks(request, pk):
    partner = managed_partner(request, pk)
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    endpoints = list(
        endpoints_of(partner).annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_code=Subquery(latest.values("last_status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
    )
    labels = dict(WebhookDelivery.Status.choices)
    for endpoint in endpoints:
        endpoint.type_labels = _type_labels(endpoint)
        endpoint.last_status_label = labels.get(endpoint.last_status, "")
    return TemplateResponse(
        request,
        "partners/admin/webhooks.html",
        _context(
            partner,
            _("推送地址"),
            endpoints=endpoints,
            disable_form=WebhookDisableForm(),
        ),
    )


def _secret_page(request, partner, endpoint, secret, title):
    # The secret is shown in this answer only: nothing may keep it.
    return private(
        TemplateResponse(
            request,
            "partners/admin/webhook_secret.html",
            _context(partner, title, endpoint=endpoint, secret=secret),
        )
    )


def webhook_create(request, pk):
    partner = managed_partner(request, pk)
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = endpoint_create(
                partner=partner,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                acting_user=request.user,
            )
        except WebhookRefused as refused:
            form.add_error(None, refused.message)
        else:
            return _secret_page(request, partner, endpoint, secret, _("新推送地址"))
    return TemplateResponse(
        request,
        "partners/admin/webhook_form.html",
        _context(partner, _("新建推送地址"), form=form),
    )


@require_POST
def webhook_rotate(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    secret = endpoint_rotate_secret(endpoint=endpoint, acting_user=request.user)
    return _secret_page(request, partner, endpoint, secret, _("新签名密钥"))


@require_POST
def webhook_disable(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    form = WebhookDisableForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("停用推送地址时请填写原因（不超过 200 字）。"))
    else:
        endpoint_disable(
            endpoint=endpoint, reason=form.cleaned_data["reason"], acting_user=request.user
        )
        messages.success(request, _("已停用 %(url)s，不再推送。") % {"url": endpoint.url})
    return redirect("partners_admin:webhooks", pk=partner.pk)


@require_POST
def webhook_enable(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    try:
        endpoint_enable(endpoint=endpoint, acting_user=request.user)
    except WebhookRefused as refused:
        messages.error(request, _("不能启用：%(why)s") % {"why": refused.message})
    else:
        messages.success(
            request, _("已启用 %(url)s，等待中的推送将陆续发送。") % {"url": endpoint.url}
        )
    return redirect("partners_admin:webhooks", pk=partner.pk)


@require_POST
def webhook_delete(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    url = endpoint.url
    endpoint_delete(endpoint=endpoint, acting_user=request.user)
    messages.success(request, _("已删除推送地址 %(url)s。") % {"url": url})
    return redirect("partners_admin:webhooks", pk=partner.pk)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def webhook_deliveries(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    form = WebhookDeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    replay_choice = filters.get("replay", "")
    rows = deliveries_of(
        partner,
        endpoint_id=endpoint.pk,
        status=filters.get("status", ""),
        replay=None if replay_choice == "" else replay_choice == "1",
    )
    if filters.get("date_from"):
        rows = rows.filter(created_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        rows = rows.filter(
            created_at__lt=_day_start(filters["date_to"] + datetime.timedelta(days=1))
        )
    paginator = Paginator(rows, DELIVERIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    for delivery in page.object_list:
        delivery.type_label = EventType.LABELS.get(delivery.event.type, delivery.event.type)
    return TemplateResponse(
        request,
        "partners/admin/webhook_deliveries.html",
        _context(
            partner,
            _("推送记录"),
            endpoint=endpoint,
            form=form,
            page_obj=page,
            deliveries=page.object_list,
            elided_page_range=paginator.get_elided_page_range(page.number),
        ),
    )


def webhook_replay(request, pk, endpoint_pk):
    partner = managed_partner(request, pk)
    endpoint = _endpoint(partner, endpoint_pk)
    form = WebhookReplayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            queued = replay(
                endpoint=endpoint,
                since=data["since"],
                until=data["until"],
                after=data["after"],
                through=data["through"],
                acting_user=request.user,
            )
        except WebhookRefused as refused:
            form.add_error(None, refused.message)
        else:
            if queued:
                messages.success(
                    request, _("已排入 %(n)s 条重放推送，将陆续发送。") % {"n": queued}
                )
            else:
                messages.warning(request, _("这一范围内没有该地址订阅的事件，未排入任何推送。"))
            return redirect(
                "partners_admin:webhook_deliveries", pk=partner.pk, endpoint_pk=endpoint.pk
            )
    return TemplateResponse(
        request,
        "partners/admin/webhook_replay.html",
        _context(partner, _("重放推送"), endpoint=endpoint, form=form),
    )
