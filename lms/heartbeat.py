"""Heartbeats of background processes, written by them and read by ``/health/``.

The Celery beat sends :func:`lms.tasks.worker_heartbeat` every minute and a
worker runs it: a fresh heartbeat proves at once that the beat is running,
that the broker carries messages and that a worker takes them. Long
background jobs record theirs too (a certificate batch after each chunk), so
a reconciler can tell a job that stopped from one that is still going.
"""

import datetime

from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def heartbeat_record(*, name: str = WORKER) -> datetime.datetime:
    """Record that `name` is alive now; returns the time recorded."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now})
    return now


def heartbeat_last(*, name: str = WORKER) -> datetime.datetime | None:
    """When `name` last proved it was alive, or None if it never did."""
    return Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()


def heartbeats_last(*, names) -> dict[str, datetime.datetime]:
    """When each of `names` last proved it was alive (those that ever did), in one query."""
    return dict(Heartbeat.objects.filter(name__in=list(names)).values_list("name", "beat_at"))


def heartbeat_forget(*, name: str) -> None:
    """Forget `name`: its work is over."""
    Heartbeat.objects.filter(name=name).delete()
