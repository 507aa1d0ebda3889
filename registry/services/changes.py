"""The change events (lms.outbox) the registry's services write, in their transaction.

One function per kind of change, called where the change is made. The data is
references and states only (ids, card number, agency credit code, statuses,
dates), never a name, ID number or phone. Each row carries the worker and the
agency the change belongs to (the worker's agency at the time; for an agency's
credit record the agency), which agency systems' feeds filter on.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from lms.models import ChangeEvent
from lms.outbox import EventType, change_record, changes_record
from registry.models import Agency, CreditRecord, Employment, Filing, Worker

#: How many days back the expiry sweeps look: a sweep missed for up to this many days
#: is caught up (well below the outbox's retention, so the anti-join still sees the
#: events already written).
EXPIRY_CATCH_UP_DAYS = 30


def agency_codes(agency_ids) -> dict[int, str]:
    """{agency id: credit code} in one query (none for no ids)."""
    ids = {pk for pk in agency_ids if pk}
    if not ids:
        return {}
    return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "credit_code"))


def _code(agency_id) -> str | None:
    return agency_codes([agency_id]).get(agency_id)


def filing_status_changed(filing: Filing, from_status: str, to_status: str) -> None:
    """``filing.status_changed``: a worker's filing was created ("" → submitted) or moved
    (an agency's own filing, with no worker, is not followed)."""
    if filing.worker_id is None:
        return
    agency_id = filing.filing_agency_id
    change_record(
        EventType.FILING_STATUS_CHANGED,
        worker_id=filing.worker_id,
        agency_id=agency_id,
        data={
            "worker_id": filing.worker_id,
            "filing_id": filing.pk,
            "kind": filing.kind,
            "from": from_status or None,
            "to": to_status,
            "agency": _code(agency_id),
        },
    )


def card_events(cards, workers_by_pk: dict[int, Worker]) -> None:
    """``worker.card_issued`` for each issued card (one insert, one agency query)."""
    codes = agency_codes(w.agency_id for w in workers_by_pk.values())
    events = []
    for card in cards:
        worker = workers_by_pk[card.worker_id]
        events.append(
            {
                "type": EventType.CARD_ISSUED,
                "worker_id": worker.pk,
                "agency_id": worker.agency_id,
                "at": card.issued_at,
                "data": {
                    "worker_id": worker.pk,
                    "card_number": card.number,
                    "batch_id": card.batch_id,
                    "agency": codes.get(worker.agency_id),
                },
            }
        )
    changes_record(events)


def employment_changed(employment: Employment, *, ended: bool) -> None:
    """``employment.started`` / ``employment.ended``."""
    change_record(
        EventType.EMPLOYMENT_ENDED if ended else EventType.EMPLOYMENT_STARTED,
        worker_id=employment.worker_id,
        agency_id=employment.agency_id,
        data={
            "worker_id": employment.worker_id,
            "employment_id": employment.pk,
            "agency": _code(employment.agency_id),
            "start_date": employment.start_date.isoformat(),
            "end_date": employment.end_date.isoformat() if employment.end_date else None,
        },
    )


def _credit_event(type_: str, record: CreditRecord, *, worker_agency: dict, codes: dict) -> dict:
    agency_id = worker_agency.get(record.worker_id) if record.worker_id else record.agency_id
    return {
        "type": type_,
        "worker_id": record.worker_id,
        "agency_id": agency_id,
        "data": {
            "record_id": record.pk,
            "kind": record.kind,
            "subject": "worker" if record.worker_id else "agency",
            "worker_id": record.worker_id,
            "agency": codes.get(agency_id),
            "occurred_on": record.occurred_on.isoformat(),
            "expires_on": record.expires_on.isoformat() if record.expires_on else None,
        },
    }


def credit_events(type_: str, records) -> int:
    """``credit.added`` / ``credit.expired`` for these records (three queries at most).
    Internal records (not public) are not announced: partners read public records only,
    as in the lookups; their effect on the door reaches partners as ``door.changed``."""
    records = [r for r in records if r.is_public]
    if not records:
        return 0
    worker_agency = dict(
        Worker.objects.filter(pk__in={r.worker_id for r in records if r.worker_id}).values_list(
            "pk", "agency_id"
        )
    )
    codes = agency_codes([*worker_agency.values(), *(r.agency_id for r in records)])
    return changes_record(
        [_credit_event(type_, r, worker_agency=worker_agency, codes=codes) for r in records]
    )


def announced_after(type_: str, key: str, since: datetime.date) -> Exists:
    """Whether an event of `type_` written since `since` names the outer row's pk under
    `key` of its data: the anti-join the expiry sweeps use to announce once."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return Exists(
        ChangeEvent.objects.filter(type=type_, at__gte=start)
        .annotate(announced=KeyTextTransform(key, "data"))
        .filter(announced=Cast(OuterRef("pk"), CharField()))
    )


def credit_records_expire_sweep(*, today: datetime.date | None = None) -> int:
    """Daily: ``credit.expired`` once for every record whose ``expires_on`` has come
    (a record stops counting on that day) and that no event announced yet. Set-based:
    one anti-joined query, one agency query, one insert; a rerun writes nothing, a
    missed day is caught up (up to :data:`EXPIRY_CATCH_UP_DAYS`)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=EXPIRY_CATCH_UP_DAYS)
    with transaction.atomic():
        records = (
            CreditRecord.objects.filter(is_public=True, expires_on__gt=since, expires_on__lte=today)
            .exclude(announced_after(EventType.CREDIT_EXPIRED, "record_id", since))
            .order_by("expires_on", "pk")
        )
        return credit_events(EventType.CREDIT_EXPIRED, records)
