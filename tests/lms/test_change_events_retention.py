"""Change events are kept CHANGE_EVENTS_RETENTION_DAYS, then purged daily in batches: only a
prefix of the feed, never its newest event, recorded so the feed can tell an expired cursor."""

import datetime

from django.conf import settings as django_settings
from django.utils import timezone

import pytest

from lms.heartbeat import heartbeat_last
from lms.models import ChangeEvent
from lms.outbox import Cursor, EventType
from lms.tasks import (
    CHANGE_EVENTS_PURGE_HEARTBEAT,
    change_cursor_purged,
    change_events_purge,
    change_events_purge_daily,
)
from tests.partners.test_changes_feed import record

# Settled events only are purged; on PostgreSQL that needs committed transactions.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _age(days, ids):
    ChangeEvent.objects.filter(pk__in=ids).update(at=timezone.now() - datetime.timedelta(days=days))


def _left():
    return list(ChangeEvent.objects.order_by("txid", "id").values_list("id", flat=True))


def test_old_events_go_in_batches_and_the_rest_stay(settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    old, young = record(5), record(2)
    _age(31, old)
    assert change_events_purge(batch=2) == 5
    assert _left() == young
    assert heartbeat_last(name=CHANGE_EVENTS_PURGE_HEARTBEAT) is not None
    assert change_events_purge() == 0  # idempotent


def test_400_days_by_default(settings):
    del settings.CHANGE_EVENTS_RETENTION_DAYS
    events = record(3)
    _age(401, events[:1])
    _age(399, events[1:2])
    assert change_events_purge() == 1
    assert _left() == events[1:]


def test_the_newest_event_stays_however_old(settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    events = record(3)
    _age(100, events)
    assert change_events_purge() == 2
    assert _left() == events[-1:]


def test_an_old_event_behind_a_newer_one_waits(settings):
    """Only a prefix goes, so every kept event follows every deleted one."""
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    events = record(4)
    _age(31, [events[0], events[2]])
    assert change_events_purge() == 1
    assert _left() == events[1:]


def test_nothing_to_purge_records_nothing(settings):
    record(2)
    assert change_events_purge() == 0
    assert heartbeat_last(name=CHANGE_EVENTS_PURGE_HEARTBEAT) is None


def test_which_cursors_the_purge_has_passed(settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    events = record(4)
    cursors = [Cursor.of(e) for e in ChangeEvent.objects.order_by("txid", "id")]
    assert not any(change_cursor_purged(c) for c in cursors)
    _age(31, events[:2])
    change_events_purge()
    assert change_cursor_purged(cursors[0])
    assert not change_cursor_purged(Cursor())  # the beginning: the oldest kept event
    assert not change_cursor_purged(cursors[2])
    assert not change_cursor_purged(cursors[3])


def test_the_daily_task_purges(settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    events = record(2, EventType.DOOR_CHANGED)
    _age(31, events[:1])
    assert change_events_purge_daily.apply().get() == 1


def test_the_purge_is_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["lms-change-events-purge"]
    assert entry["task"] == "lms.tasks.change_events_purge"
    assert entry["schedule"].hour == {3}
