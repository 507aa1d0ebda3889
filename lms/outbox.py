"""The transactional outbox: every change partners sync is an event row written in
the transaction of the change itself, and read back in an order that never skips.

Writing. A service calls :func:`change_record` inside its ``transaction.atomic``
block; the row commits or rolls back with the change, so there is no event without
its change and no change without its event, whatever a worker or broker does after.

Reading. Ids are handed out when rows are inserted, not when they commit, so on
PostgreSQL a transaction holding id 7 may commit after another holding id 8: a
reader that had passed 8 would never see 7 (the classic outbox pitfall). Each row
therefore carries its transaction's id (``pg_current_xact_id()``), events are read
in ``(txid, id)`` order, and a read returns only events whose transaction id is
below the oldest transaction still running when the read's snapshot was taken
(``pg_snapshot_xmin(pg_current_snapshot())``). Every transaction below that bound
has ended, so nothing can appear later behind the cursor, and every transaction
that starts later gets a higher id. A long transaction holds the feed back (never
skips past it) until it ends. SQLite serialises writers (IMMEDIATE transactions),
so there the order of ids is the order of commits and ``txid`` is 0.

A cursor is the text ``"<txid>.<id>"`` of the last event read; partners treat it as
opaque. ``""`` is the beginning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Func, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ChangeEvent


class EventType:
    """The kinds of change partners may follow, with their labels (one place)."""

    FILING_STATUS_CHANGED = "filing.status_changed"
    CARD_ISSUED = "worker.card_issued"
    EMPLOYMENT_STARTED = "employment.started"
    EMPLOYMENT_ENDED = "employment.ended"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    CERTIFICATE_REISSUED = "certificate.reissued"
    CERTIFICATE_EXPIRED = "certificate.expired"
    CREDIT_ADDED = "credit.added"
    CREDIT_EXPIRED = "credit.expired"
    DOOR_CHANGED = "door.changed"

    LABELS = {
        FILING_STATUS_CHANGED: _("备案状态变化"),
        CARD_ISSUED: _("发放家政卡"),
        EMPLOYMENT_STARTED: _("开始从业"),
        EMPLOYMENT_ENDED: _("结束从业"),
        CERTIFICATE_ISSUED: _("颁发证书"),
        CERTIFICATE_REVOKED: _("吊销证书"),
        CERTIFICATE_REISSUED: _("补发证书"),
        CERTIFICATE_EXPIRED: _("证书到期"),
        CREDIT_ADDED: _("新增信用记录"),
        CREDIT_EXPIRED: _("信用记录失效"),
        DOOR_CHANGED: _("上门码颜色变化"),
    }
    ALL = tuple(LABELS)


class CurrentTransactionId(Func):
    """The writing transaction's id (PostgreSQL); 0 elsewhere (serialised writers)."""

    output_field = BigIntegerField()
    template = "0"

    def as_postgresql(self, compiler, connection, **extra_context):
        return "pg_current_xact_id()::text::bigint", []


class OldestRunningTransactionId(Func):
    """The lowest transaction id still running at the statement's snapshot (PostgreSQL)."""

    output_field = BigIntegerField()
    template = "0"

    def as_postgresql(self, compiler, connection, **extra_context):
        return "pg_snapshot_xmin(pg_current_snapshot())::text::bigint", []


def change_record(
    type: str,
    *,
    data: dict,
    worker_id: int | None = None,
    agency_id: int | None = None,
    at=None,
) -> ChangeEvent:
    """Write one event in the current transaction (call it inside the change's atomic
    block). `data` is JSON: references and states, never a name, ID number or phone."""
    if type not in EventType.LABELS:
        raise ValueError(f"unknown change event type {type!r}")
    return ChangeEvent.objects.create(
        txid=CurrentTransactionId(),
        at=at or timezone.now(),
        type=type,
        worker_id=worker_id,
        agency_id=agency_id,
        data=data,
    )


def changes_record(events: list[dict]) -> int:
    """Write many events at once (sweeps); each dict holds :func:`change_record`'s arguments."""
    now = timezone.now()
    rows = []
    for event in events:
        if event["type"] not in EventType.LABELS:
            raise ValueError(f"unknown change event type {event['type']!r}")
        rows.append(
            ChangeEvent(
                txid=CurrentTransactionId(),
                at=event.get("at") or now,
                type=event["type"],
                worker_id=event.get("worker_id"),
                agency_id=event.get("agency_id"),
                data=event["data"],
            )
        )
    ChangeEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


CURSOR_RE = re.compile(r"^(\d{1,19})\.(\d{1,19})$")


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the feed: just after the event ``(txid, id)``."""

    txid: int = 0
    id: int = 0

    def __str__(self) -> str:
        return f"{self.txid}.{self.id}" if (self.txid or self.id) else ""

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        """The cursor `text` names; raises ValueError when it is not one."""
        text = (text or "").strip()
        if not text:
            return cls()
        match = CURSOR_RE.match(text)
        if match is None:
            raise ValueError(text)
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, event: ChangeEvent) -> Cursor:
        return cls(event.txid, event.pk)


def settled_events() -> QuerySet[ChangeEvent]:
    """Events no running transaction can still insert before, in feed order."""
    events = ChangeEvent.objects.all()
    if connection.vendor == "postgresql":
        events = events.filter(txid__lt=OldestRunningTransactionId())
    return events.order_by("txid", "id")


def events_after(cursor: Cursor, *, types=None, agency_id: int | None = None, limit: int = 500):
    """Up to `limit` settled events after `cursor`, in feed order (one statement, one
    snapshot: the bound and the rows are read together)."""
    # A row comparison, so the index on (txid, id) starts the scan at the cursor (an OR of
    # the two cases made every page scan the feed from its beginning).
    events = settled_events().filter(
        RawSQL('("txid", "id") > (%s, %s)', [cursor.txid, cursor.id], output_field=BooleanField())
    )
    if types:
        events = events.filter(type__in=list(types))
    if agency_id is not None:
        events = events.filter(agency_id=agency_id)
    return list(events[:limit])


def head() -> Cursor:
    """A cursor from which the feed holds every change not yet settled now: where a
    partner starts following after a snapshot begun at this moment (at least once:
    it may see again a change the snapshot already shows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            (xmin,) = cursor.fetchone()
        # Every event of a transaction with id >= xmin comes after (xmin - 1, max).
        return Cursor(xmin - 1, 2**63 - 1)
    last = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return Cursor(0, last or 0)


def event_document(event: ChangeEvent) -> dict:
    """An event as partners read it, in the feed and in a webhook's body alike. ``id`` is
    the event's own and stays the same on every redelivery and replay (partners dedupe
    by it); ``cursor`` is where to resume the feed after it."""
    return {
        "id": f"evt_{event.pk}",
        "type": event.type,
        "at": timezone.localtime(event.at).isoformat(),
        "cursor": str(Cursor.of(event)),
        "data": event.data,
    }
