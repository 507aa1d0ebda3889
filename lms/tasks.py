"""Sending a higher app's task by name, so a lower app never imports it."""

import threading

from django.core.cache import cache
from django.db import transaction

from celery import shared_task

from lms.celery import app

# Task modules are imported on the first eager send. Two threads sending at once
# (runserver's threads, the concurrency tests) must not race that import: the
# second could look the task up before the first finished registering it.
_import_lock = threading.Lock()


def send_task_by_name(name: str, *args, **kwargs) -> None:
    """Send task `name` after the current transaction commits.

    With a broker, the message goes out by name. Eagerly (no broker), the task
    is looked up in Celery's registry and run in process, as ``delay`` would.
    """

    def _send():
        if app.conf.task_always_eager:
            with _import_lock:
                app.loader.import_default_modules()
            app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
        else:
            app.send_task(name, args=args, kwargs=kwargs)

    transaction.on_commit(_send)


@shared_task(name="lms.tasks.broker_roundtrip", acks_late=True)
def broker_roundtrip(key: str) -> None:
    """Write `key` to the cache: proof that a message crossed the broker to a worker."""
    cache.set(key, "ok", 60)
