"""Sending tasks without failing the request, and the project's own periodic tasks."""

import logging
import threading

from django.core.cache import cache
from django.db import transaction

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
