"""A cursor reader never skips an event when writers commit out of order (PostgreSQL).

Ids are handed out at insert, not at commit: transaction A inserts id 7 and stays open
while B inserts id 8 and commits. The feed holds back below A (lms/outbox.py), so the
reader gets A's event once A commits; a naive ``id > last`` cursor passes 8 and never
sees 7 (kept below as documentation of the pitfall)."""

import random
import threading
import time

from django.db import connection, transaction

import pytest

from lms.models import ChangeEvent
from lms.outbox import Cursor, EventType, change_record, events_after, settled_events

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Rollback(Exception):
    """Raised inside a writer's transaction to roll it back."""


def _open_writer(started: threading.Event, release: threading.Event, out: list):
    """A thread holding a transaction with one event open until `release` is set."""

    def run():
        try:
            with transaction.atomic():
                out.append(change_record(EventType.DOOR_CHANGED, data={"w": "A"}).pk)
                started.set()
                release.wait(60)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _commit_one(label):
    out = []

    def run():
        try:
            with transaction.atomic():
                out.append(change_record(EventType.DOOR_CHANGED, data={"w": label}).pk)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return out[0]


def feed_reader(cursor, seen):
    """The feed's reader: everything settled after `cursor`; the new cursor."""
    for event in events_after(cursor, limit=1000):
        seen.append(event.pk)
        cursor = Cursor.of(event)
    return cursor


def naive_reader(last, seen):
    """The pitfall: a cursor on the id alone."""
    for pk in ChangeEvent.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True):
        seen.append(pk)
        last = pk
    return last


def _out_of_order(reader, start, patience=60.0):
    """A inserts (lower id) and stays open, B inserts and commits, the reader reads, A
    commits, the reader reads again (until it has A, or for `patience` seconds): what it
    saw, and A's and B's ids."""
    started, release, a_ids = threading.Event(), threading.Event(), []
    writer = _open_writer(started, release, a_ids)
    assert started.wait(30)
    b = _commit_one("B")
    (a,) = a_ids
    assert a < b
    seen = []
    cursor = reader(start, seen)
    seen_before_a_commits = list(seen)
    release.set()
    writer.join(30)
    deadline = time.monotonic() + patience
    while a not in seen and time.monotonic() < deadline:
        cursor = reader(cursor, seen)
        time.sleep(0.05)
    return seen_before_a_commits, seen, a, b


def test_the_feed_waits_for_the_lower_id_and_then_delivers_it():
    before, seen, a, b = _out_of_order(feed_reader, Cursor())
    assert b not in before  # held back behind A's open transaction
    assert a in seen and b in seen
    assert seen.index(a) < seen.index(b)  # and then in (txid, id) order


def test_without_the_running_transaction_bound_the_feed_would_skip(monkeypatch):
    """The same reader with ``settled_events`` unbounded: it passes B and loses A."""
    monkeypatch.setattr(
        "lms.outbox.settled_events", lambda: ChangeEvent.objects.order_by("txid", "id")
    )
    # Unbounded, A is visible the moment it commits: two seconds of reading is plenty.
    before, seen, a, b = _out_of_order(feed_reader, Cursor(), patience=2)
    assert b in before
    assert a not in seen


def test_a_naive_id_cursor_skips_the_late_commit():
    before, seen, a, b = _out_of_order(naive_reader, 0, patience=2)
    assert b in before
    assert a not in seen  # the pitfall


WRITERS = 8
TRANSACTIONS = 12


def _stress(reader, start):
    """8 writers commit (or roll back) events with random delays inside their transactions
    while a reader follows continuously: the ids committed, rolled back and seen."""
    committed, rolled_back, lock = [], [], threading.Lock()
    done = threading.Event()

    def write(seed):
        rng = random.Random(seed)
        try:
            for n in range(TRANSACTIONS):
                ids = []
                try:
                    with transaction.atomic():
                        for _ in range(rng.randint(1, 3)):
                            ids.append(
                                change_record(EventType.DOOR_CHANGED, data={"w": seed, "n": n}).pk
                            )
                            time.sleep(rng.uniform(0, 0.02))
                        if rng.random() < 0.15:
                            raise Rollback
                except Rollback:
                    with lock:
                        rolled_back.extend(ids)
                    continue
                with lock:
                    committed.extend(ids)
                time.sleep(rng.uniform(0, 0.01))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    seen, cursor = [], start

    def writers_running():
        return any(t.is_alive() for t in threads)

    while writers_running():
        cursor = reader(cursor, seen)
        time.sleep(0.002)
    for thread in threads:
        thread.join(60)
    done.set()
    # Drain: wait for every committed event to settle (other processes' transactions too).
    deadline = time.monotonic() + 60
    while settled_events().count() != ChangeEvent.objects.count():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    reader(cursor, seen)
    return committed, rolled_back, seen


def test_a_following_reader_sees_every_committed_event_exactly_once():
    committed, rolled_back, seen = _stress(feed_reader, Cursor())
    assert len(committed) > WRITERS * TRANSACTIONS
    assert sorted(seen) == sorted(committed)  # none missed, none twice
    assert not set(seen) & set(rolled_back)
    assert rolled_back  # the run did roll some back
