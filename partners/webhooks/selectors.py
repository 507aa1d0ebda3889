"""Reads of the webhooks: a partner's endpoints, the delivery log, endpoints to warn about."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ..models import WebhookDelivery, WebhookEndpoint


def endpoints_of(partner) -> QuerySet[WebhookEndpoint]:
    """A partner's endpoints with their open and abandoned delivery counts."""
    return partner.webhook_endpoints.annotate(
        open_deliveries=Count(
            "deliveries",
            filter=Q(
                deliveries__status__in=[
                    WebhookDelivery.Status.PENDING,
                    WebhookDelivery.Status.FAILED,
                ]
            ),
        ),
        abandoned_deliveries=Count(
            "deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.ABANDONED)
        ),
    ).order_by("pk")


def deliveries_of(
    partner, *, endpoint_id=None, status="", replay=None
) -> QuerySet[WebhookDelivery]:
    """A partner's deliveries, newest first, filtered."""
    rows = WebhookDelivery.objects.filter(endpoint__partner=partner).select_related(
        "endpoint", "event"
    )
    if endpoint_id:
        rows = rows.filter(endpoint_id=endpoint_id)
    if status:
        rows = rows.filter(status=status)
    if replay is not None:
        rows = rows.filter(replay=replay)
    return rows.order_by("-created_at", "-pk")


def endpoints_disabled_for_failures() -> QuerySet[WebhookEndpoint]:
    """Endpoints the platform stopped because their deliveries were abandoned (a warning
    for city regulators until one is enabled again or removed)."""
    return WebhookEndpoint.objects.filter(
        is_active=False, disabled_for_failures=True
    ).select_related("partner")
