"""Announcing door-colour changes (``door.changed``) to partners, set-based.

The colour is the rule of :mod:`certificates.door` (its SQL form picks the workers
whose colour differs from ``Worker.door_colour_announced``, the colour last
announced; its Python form gives the reasons' codes of those only). Two callers:

* every change that may alter a worker's colour, in its own transaction: the
  registry announces its changes through the ``registry_workers_door_may_change``
  hook (wagtail_hooks.py), this app's services call :func:`door_changes_announce`;
* the daily sweep (:func:`door_changes_sweep`), for colours time changes alone
  (an expiry passing, the 30-day window opening), over all workers at once.

The chosen rows are locked (``FOR UPDATE`` of the worker rows, re-checked by
PostgreSQL after a wait), so a change and the sweep never announce the same
colour twice. A worker never announced gets, from a change, an event ``from``
null; from the sweep, the colour silently (the partners' snapshot shows it), so
that the first sweep after the field's migration does not flood the feed.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lms.outbox import EventType, changes_record
from registry.models import Worker
from registry.services.changes import agency_codes

from .door import door_colour_expression, door_status_for_workers

#: Workers judged in one pass of the reasons and of the writes.
CHUNK = 1000


def _changed(workers, today: datetime.date) -> list[tuple[int, int | None, str, str, str | None]]:
    """(pk, agency_id, card_number, announced, colour) of `workers` whose colour is not the
    one announced: one query, the rows locked."""
    rows = (
        workers.annotate(door_colour=door_colour_expression(today=today))
        .filter(~Q(door_colour=F("door_colour_announced")))
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "agency_id", "card_number", "door_colour_announced", "door_colour")
    )
    return list(rows)


def _announce(rows, today: datetime.date) -> int:
    """Write the events of `rows` and remember their colours (bounded queries per chunk)."""
    written = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        statuses = door_status_for_workers([row[0] for row in chunk], today=today)
        codes = agency_codes(row[1] for row in chunk)
        events = []
        by_colour: dict[str, list[int]] = {}
        for pk, agency_id, card_number, announced, colour in chunk:
            status = statuses.get(pk)
            events.append(
                {
                    "type": EventType.DOOR_CHANGED,
                    "worker_id": pk,
                    "agency_id": agency_id,
                    "data": {
                        "worker_id": pk,
                        "card_number": card_number or None,
                        "agency": codes.get(agency_id),
                        "from": announced or None,
                        "to": colour,
                        "reasons": sorted(status.codes) if status else [],
                    },
                }
            )
            by_colour.setdefault(colour, []).append(pk)
        written += changes_record(events)
        for colour, pks in by_colour.items():
            Worker.objects.filter(pk__in=pks).update(door_colour_announced=colour)
    return written


def door_changes_announce(worker_ids, *, today: datetime.date | None = None) -> int:
    """Announce the colour changes of these workers; call it inside the change's atomic
    block, after the change. One query when nothing changed, seven more when some did
    (the reasons, the agencies, the insert, one update per colour), whatever their number."""
    ids = sorted({pk for pk in worker_ids if pk})
    if not ids:
        return 0
    today = today or timezone.localdate()
    return _announce(_changed(Worker.objects.filter(pk__in=ids), today), today)


def door_changes_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: announce every colour time changed, over all workers (one annotated query,
    bulk events, bulk updates); set the colour of workers never announced, silently.

    Idempotent: a rerun finds every colour already announced. A missed day needs no
    catch-up: the comparison is with the colour last announced, not with yesterday's.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        baseline = Worker.objects.filter(door_colour_announced="").update(
            door_colour_announced=door_colour_expression(today=today)
        )
        changed = _announce(_changed(Worker.objects.all(), today), today)
    return {"baseline": baseline, "changed": changed}
