"""Celery tasks of the partners app: webhooks and retention (issue #24).

Thin adapters over ``partners.webhooks.delivery``. Every task acknowledges late and
is idempotent; the database says what is left to do, so a lost message or a worker
killed mid-task loses nothing: ``webhooks_reconcile`` sends again what stayed due, and
``webhooks_recover`` does so as soon as a worker starts (again).
"""

import datetime

from django.utils import timezone

from celery import shared_task


@shared_task(name="partners.tasks.webhooks_deliver", acks_late=True, ignore_result=True)
def webhooks_deliver(delivery_ids: list[int]) -> int:
    """One attempt for each of these deliveries (those still due); how many were sent."""
    from .webhooks.delivery import attempt_batch

    return len(attempt_batch(delivery_ids))


@shared_task(name="partners.tasks.webhooks_pump", acks_late=True, ignore_result=True)
def webhooks_pump() -> list[int]:
    """Fan out every endpoint from its cursor and queue the due deliveries (every 10 s)."""
    from .webhooks.delivery import pump

    return list(pump())


@shared_task(name="partners.tasks.webhooks_reconcile", acks_late=True, ignore_result=True)
def webhooks_reconcile(lost_after_seconds: int | None = None) -> list[int]:
    """Catch up lagging cursors and send again deliveries whose message was lost."""
    from .webhooks.delivery import LOST_AFTER, reconcile

    lost_after = (
        datetime.timedelta(seconds=lost_after_seconds) if lost_after_seconds else LOST_AFTER
    )
    return list(reconcile(lost_after=lost_after))


@shared_task(name="partners.tasks.webhooks_recover", acks_late=True, ignore_result=True)
def webhooks_recover(started_at: str) -> list[int]:
    """Send again at once the due deliveries whose message was sent before a worker
    started (ISO time `started_at`): a killed worker's messages come back from Redis only
    after the visibility timeout (an hour). Those still in the queue are sent twice, and
    the second message finds its rows taken (``delivery.claim``)."""
    from .webhooks.delivery import reconcile

    return list(reconcile(queued_before=datetime.datetime.fromisoformat(started_at)))


def recover_on_worker_ready(sender=None, **kwargs) -> None:
    """``celery.signals.worker_ready``: this worker (re)started; recover what was lost."""
    webhooks_recover.delay(timezone.now().isoformat())


@shared_task(name="partners.tasks.partners_retention", acks_late=True, ignore_result=True)
def partners_retention() -> dict:
    """Daily: the call log past PARTNER_CALLS_RETENTION_DAYS and first answers of writes
    past PARTNER_IDEMPOTENCY_DAYS go. Idempotent."""
    from .idempotency import idempotent_requests_purge
    from .services import partner_calls_purge

    return {"calls": partner_calls_purge(), "idempotent_requests": idempotent_requests_purge()}
