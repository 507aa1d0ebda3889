"""Celery tasks of the partners app: webhooks (issue #24).

Thin adapters over ``partners.webhooks.delivery``. Every task acknowledges late and
is idempotent; the database says what is left to do, so a lost message or a worker
killed mid-task loses nothing: ``webhooks_reconcile`` sends again what stayed due.
"""

import datetime

from celery import shared_task


@shared_task(name="partners.tasks.webhooks_deliver", acks_late=True, ignore_result=True)
def webhooks_deliver(delivery_ids: list[int]) -> int:
    """One attempt for each of these deliveries (those still due); how many were sent."""
    from .webhooks.delivery import attempt

    return sum(1 for pk in delivery_ids if attempt(pk) is not None)


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
