"""Writes of the webhooks: endpoints (add, rotate the secret, disable, enable) and replay.

Every write is audited. A new endpoint starts at the head of the outbox (it receives
what changes from now on; a replay sends the past). Its secret is returned once, in
clear, and stored encrypted.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import crypto, outbox
from lms.audit import audit
from lms.outbox import EventType

from ..models import Partner, WebhookDelivery, WebhookEndpoint
from . import addresses, signing
from .delivery import OPEN, endpoint_agency_id

#: The previous secret still signs this long after a rotation.
ROTATION_OVERLAP = datetime.timedelta(hours=24)
#: At most this many events in one replay.
REPLAY_MAX = 50_000
#: At most this many endpoints per partner.
MAX_ENDPOINTS = 5


class WebhookRefused(Exception):
    """A webhook write was refused; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def event_types_clean(types) -> str:
    chosen = set(types or [])
    unknown = chosen - set(EventType.ALL)
    if unknown:
        raise WebhookRefused(_("未知的事件类型：%(names)s") % {"names": " ".join(sorted(unknown))})
    return " ".join(t for t in EventType.ALL if t in chosen)


def url_clean(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise WebhookRefused(_("推送地址太长。"))
    try:
        addresses.url_check(url)
    except addresses.AddressRefused as refused:
        raise WebhookRefused(refused.message) from refused
    return url


def endpoint_create(
    *, partner: Partner, url: str, event_types=(), acting_user=None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of `partner`; returns it and its secret, shown this once."""
    url = url_clean(url)
    types = event_types_clean(event_types)
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if partner.webhook_endpoints.count() >= MAX_ENDPOINTS:
            raise WebhookRefused(_("每个合作系统最多 %(n)s 个推送地址。") % {"n": MAX_ENDPOINTS})
        secret = signing.secret_new()
        head = outbox.head()
        endpoint = WebhookEndpoint.objects.create(
            partner=partner,
            url=url,
            event_types=types,
            secret_encrypted=crypto.encrypt(secret),
            cursor_txid=head.txid,
            cursor_id=head.id,
            created_by=user_or_none(acting_user),
        )
        audit(
            partner,
            "partners.webhook_create",
            user=acting_user,
            data={"endpoint": endpoint.pk, "url": url, "types": types},
        )
    return endpoint, secret


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, acting_user=None) -> str:
    """A new secret; the current one keeps signing beside it for 24 hours (the partner
    switches within that time). Returns the new secret, shown this once."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.secret_new()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.save(
        update_fields=["previous_secret_encrypted", "previous_secret_until", "secret_encrypted"]
    )
    audit(
        endpoint.partner,
        "partners.webhook_rotate",
        user=acting_user,
        data={"endpoint": endpoint.pk, "url": endpoint.url},
    )
    return secret


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, acting_user=None) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_active:
        return
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    audit(
        endpoint.partner,
        "partners.webhook_disable",
        user=acting_user,
        data={"endpoint": endpoint.pk, "url": endpoint.url, "reason": reason},
    )


def endpoint_disable_for_failures(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    """Abandoned deliveries stop the endpoint (no more attempts) and raise a warning to
    city regulators (dashboards rule ``webhook_disabled``)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.is_active:
            return
        endpoint.is_active = False
        endpoint.disabled_for_failures = True
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = _(
            "推送连续失败约一天后放弃（事件 %(event)s，最近状态 %(status)s），已自动停用。"
        ) % {"event": delivery.event_id, "status": delivery.last_status or delivery.last_error[:60]}
        endpoint.save(
            update_fields=["is_active", "disabled_for_failures", "disabled_at", "disabled_reason"]
        )
        audit(
            endpoint.partner,
            "partners.webhook_disable",
            data={
                "endpoint": endpoint.pk,
                "url": endpoint.url,
                "reason": endpoint.disabled_reason,
                "delivery": delivery.pk,
            },
        )


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint, acting_user=None) -> None:
    """Enable again (the URL is checked again); its waiting deliveries are sent."""
    url_clean(endpoint.url)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_active:
        return
    endpoint.is_active = True
    endpoint.disabled_for_failures = False
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(
        update_fields=["is_active", "disabled_for_failures", "disabled_at", "disabled_reason"]
    )
    endpoint.deliveries.filter(status__in=OPEN).update(queued_at=None)
    audit(
        endpoint.partner,
        "partners.webhook_enable",
        user=acting_user,
        data={"endpoint": endpoint.pk, "url": endpoint.url},
    )
    pump_after_commit()


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, acting_user=None) -> None:
    audit(
        endpoint.partner,
        "partners.webhook_delete",
        user=acting_user,
        data={"endpoint": endpoint.pk, "url": endpoint.url},
    )
    endpoint.delete()


def replay(
    *,
    endpoint: WebhookEndpoint,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    after: outbox.Cursor | None = None,
    through: outbox.Cursor | None = None,
    acting_user=None,
) -> int:
    """Send again the events the endpoint follows in a time range and/or a cursor range
    (after `after`, up to and including `through`): new delivery rows flagged replay,
    with the same ``webhook-id`` as the first delivery. Refused above REPLAY_MAX."""
    events = outbox.settled_events()
    if endpoint.types:
        events = events.filter(type__in=endpoint.types)
    agency_id = endpoint_agency_id(endpoint)
    if agency_id is not None:
        events = events.filter(agency_id=agency_id)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    if after is not None:
        events = events.filter(Q(txid__gt=after.txid) | Q(txid=after.txid, id__gt=after.id))
    if through is not None:
        events = events.filter(Q(txid__lt=through.txid) | Q(txid=through.txid, id__lte=through.id))
    ids = list(events.values_list("pk", flat=True)[: REPLAY_MAX + 1])
    if len(ids) > REPLAY_MAX:
        raise WebhookRefused(
            _("这一范围超过 %(n)s 个事件，请缩小范围后分批重放。") % {"n": REPLAY_MAX}
        )
    with transaction.atomic():
        now = timezone.now()
        user = user_or_none(acting_user)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=pk,
                    replay=True,
                    next_attempt_at=now,
                    created_by=user,
                )
                for pk in ids
            ],
            batch_size=1000,
        )
        audit(
            endpoint.partner,
            "partners.webhook_replay",
            user=acting_user,
            data={
                "endpoint": endpoint.pk,
                "url": endpoint.url,
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
                "after": str(after or ""),
                "through": str(through or ""),
                "events": len(ids),
            },
        )
        pump_after_commit()
    return len(ids)


def pump_after_commit() -> None:
    """Ask a worker to fan out and send now (the beat would within seconds anyway)."""
    from ..tasks import webhooks_pump

    transaction.on_commit(webhooks_pump.delay)
