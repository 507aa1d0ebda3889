"""Sending tasks without failing the request, and the project's own periodic tasks."""

import datetime
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from celery import shared_task
from kombu.exceptions import OperationalError

from lms.celery import app

logger = logging.getLogger(__name__)

# Task modules are imported on the first eager send. Two threads sending at once
# (runserver's threads, the concurrency tests) must not race that import: the
# second could look the task up before the first finished registering it.
_import_lock = threading.Lock()


def send_task(name: str, *args, **kwargs) -> bool:
    """Send task `name` now; False, with a warning logged, when the broker cannot be reached.

    With a broker, the message goes out by name. Eagerly (no broker), the task
    is looked up in Celery's registry and run in process, as ``delay`` would,
    and its errors propagate. A message that cannot be sent is not an error
    of the caller's: the database keeps the work, and the sending app's
    reconciler sends it again once the broker is back.
    """
    if app.conf.task_always_eager:
        with _import_lock:
            app.loader.import_default_modules()
        app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
        return True
    try:
        app.send_task(name, args=args, kwargs=kwargs)
    except OperationalError as error:
        logger.warning("task %s not sent, the broker is unreachable: %s", name, error)
        return False
    return True


def send_task_by_name(name: str, *args, **kwargs) -> None:
    """Send task `name` after the current transaction commits (see :func:`send_task`)."""
    transaction.on_commit(lambda: send_task(name, *args, **kwargs))


@shared_task(name="lms.tasks.broker_roundtrip", acks_late=True)
def broker_roundtrip(key: str) -> None:
    """Write `key` to the cache: proof that a message crossed the broker to a worker."""
    cache.set(key, "ok", 60)


@shared_task(name="lms.tasks.worker_heartbeat", acks_late=True)
def worker_heartbeat() -> None:
    """Periodic (every minute): record that the beat, the broker and a worker all work."""
    from .heartbeat import heartbeat_record

    heartbeat_record()


@shared_task(name="lms.tasks.sessions_clear", acks_late=True)
def sessions_clear() -> None:
    """Daily: delete expired sessions (they live in the database only)."""
    from django.core.management import call_command

    call_command("clearsessions")


#: Events deleted per statement by the purge, so that no purge holds a long lock.
CHANGE_EVENTS_PURGE_BATCH = 5000
#: The heartbeat the purge records when it has deleted events: the feed's sign that
#: a cursor below the oldest kept event may have lost events (``change_cursor_purged``).
CHANGE_EVENTS_PURGE_HEARTBEAT = "change-events-purge"


def change_events_purge(*, now=None, batch: int = CHANGE_EVENTS_PURGE_BATCH) -> int:
    """Delete change events older than ``CHANGE_EVENTS_RETENTION_DAYS``; how many went.

    Only a prefix of the feed goes: the settled events (``lms.outbox``) before the
    first one still within retention, and never the newest settled event. So every
    kept event comes after every deleted one, in the feed's order, and a cursor at
    or past the oldest kept event has lost nothing (``change_cursor_purged``). An
    old event behind a newer one waits for the next day's purge. Deleted in batches,
    each in its own transaction with the purge's heartbeat.
    """
    from .heartbeat import heartbeat_record
    from .models import ChangeEvent
    from .outbox import Cursor, settled_events

    now = now or timezone.now()
    days = getattr(settings, "CHANGE_EVENTS_RETENTION_DAYS", 400)
    cutoff = now - datetime.timedelta(days=days)
    settled = settled_events().values_list("txid", "id")
    kept = settled.filter(at__gte=cutoff).first() or settled.reverse().first()
    if kept is None:
        return 0
    end = Cursor(*kept)
    before = Q(txid__lt=end.txid) | Q(txid=end.txid, id__lt=end.id)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                ChangeEvent.objects.filter(before)
                .order_by("txid", "id")
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                break
            count, _detail = ChangeEvent.objects.filter(pk__in=ids).delete()
            heartbeat_record(name=CHANGE_EVENTS_PURGE_HEARTBEAT)
        deleted += count
    logger.info("change events purged: %s older than %s days (kept from %s)", deleted, days, end)
    return deleted


def change_cursor_purged(cursor) -> bool:
    """Whether the purge may have deleted events after `cursor` (a ``lms.outbox.Cursor``):
    it lies below the oldest kept event and a purge has deleted events. Read it after
    the feed's page, so that a purge running meanwhile is noticed. The beginning
    (``""``) is never purged: it means the oldest kept event."""
    from .heartbeat import heartbeat_last
    from .models import ChangeEvent
    from .outbox import Cursor

    if cursor == Cursor():
        return False
    oldest = ChangeEvent.objects.order_by("txid", "id").values_list("txid", "id").first()
    if oldest is not None and cursor >= Cursor(*oldest):
        return False
    return heartbeat_last(name=CHANGE_EVENTS_PURGE_HEARTBEAT) is not None


@shared_task(name="lms.tasks.change_events_purge", acks_late=True)
def change_events_purge_daily() -> int:
    """Daily: delete change events past their retention (:func:`change_events_purge`)."""
    return change_events_purge()
