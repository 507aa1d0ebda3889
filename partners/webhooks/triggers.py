"""A written change event asks for a webhook pump once its transaction commits.

Cheap: at most one message per second (a cache key), and none at all when it cannot
be sent; the beat's pump every 10 s is what guarantees delivery.
"""

from django.core.cache import cache
from django.db import transaction

KEY = "partners:webhooks:pump-asked"


def pump_soon() -> None:
    if cache.add(KEY, 1, timeout=1):
        from ..tasks import webhooks_pump

        webhooks_pump.delay()


def change_event_saved(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(pump_soon)
