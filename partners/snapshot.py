"""The records of the snapshot for a first sync (issue #24), read set-based.

Four sections, streamed in this order so that a reference always points back to a
record already sent: ``agencies``, ``workers``, ``certificates``, ``credit_records``.

* **workers** — every worker with a current filing (备案, whatever its status);
* **agencies** — every agency, with its filing status and filed (approved) workers;
* **certificates** — every certificate row (reissues and renewals included: each
  row has its own number and revision, and its status says which are current);
* **credit_records** — the public credit records that count today, about a worker
  of the workers section or about an agency (what the lookups show).

An agency's own system (``Partner.agency``) reads only its agency, its workers
(``Worker.agency``, as the lookups decide), their certificates and the records
about them.

Each section is read by keyset pagination on its primary key: one query returns the
next ``chunk_size`` rows with everything a record shows joined or annotated (the
door colour by :func:`certificates.door.door_colour_expression`, the credit standing
by :func:`registry.selectors.credit.standing_annotations`), plus one query a chunk
where a join would multiply rows (open employments, filed-worker counts). Memory
stays one chunk whatever the table's size; the query count grows with chunks, not
rows. Persons are masked by the lookups' own functions
(``partners.selectors``: ``person_fields`` and ``credit_record_fields``), so a snapshot line and a
lookup answer hide exactly the same characters.

References carry no personal data and are the ones the change feed and the writes
use: a worker and a credit record by their numeric ``id`` (``worker_id`` /
``record_id`` in events, ``/workers/{worker_id}`` in writes), an agency by its
credit code, a certificate by its number and revision.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When

from certificates.door import DOOR_LABELS, door_colour_expression
from certificates.models import Certificate
from lms.crypto import decrypt
from registry.models import Agency, CreditRecord, District, Employment, Filing, FilingStatus, Worker
from registry.selectors.credit import (
    STANDING_LABELS,
    Standing,
    active_credit_records_q,
    standing_annotations,
)

from .models import Scope
from .selectors import certificate_fields, credit_record_fields, person_fields

#: Rows a chunk reads (about 1 MB of NDJSON for workers). Below about 2,000 workers
#: PostgreSQL reads the door colour's subqueries by index (benchmarks/partners_snapshot.py).
CHUNK_SIZE = 1_500

#: The sections in the order they stream, with the scope each needs.
SECTION_SCOPES = {
    "agencies": Scope.CREDIT_READ.value,
    "workers": Scope.WORKERS_READ.value,
    "certificates": Scope.CERTIFICATES_READ.value,
    "credit_records": Scope.CREDIT_READ.value,
}
SECTIONS = tuple(SECTION_SCOPES)


@dataclass(frozen=True)
class SnapshotReader:
    """Who reads the snapshot and how: an agency system's agency (else None: every
    record), whether persons are shown in full (``pii:read``), and the day statuses
    are judged on."""

    agency_id: int | None
    unmasked: bool
    today: datetime.date
    chunk_size: int = CHUNK_SIZE

    @functools.cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """The labels records show, translated once a snapshot rather than once a record."""
        return {
            "filing": {value: str(label) for value, label in FilingStatus.choices},
            "standing": {level: str(label) for level, label in STANDING_LABELS.items()},
            "door": {colour: str(label) for colour, label in DOOR_LABELS.items()},
        }


class _Person(NamedTuple):
    """What ``partners.selectors.person_fields`` reads of a worker, from a row of values."""

    name: str
    id_number: str
    phone: str
    card_number: str | None


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _standing_level(subject: str, today) -> Case:
    """The credit level of a worker or agency row, from the registry's SQL annotations."""
    standing = standing_annotations(subject, today=today)
    return Case(
        When(standing["is_blacklisted"], then=Value(Standing.BLACKLISTED)),
        When(standing["has_bad_record"], then=Value(Standing.CAUTION)),
        default=Value(Standing.GOOD),
        output_field=CharField(),
    )


def _credit(level: str, reader: SnapshotReader) -> dict:
    return {"level": level, "label": reader.labels["standing"][level]}


def _filing(status: str | None, reader: SnapshotReader) -> dict:
    return {
        "filing_status": status or "",
        "filing_label": reader.labels["filing"][status] if status else "",
    }


# --- sections ----------------------------------------------------------------------------------


def _agencies(reader: SnapshotReader, after: int) -> tuple[list, set[int]]:
    agencies = Agency.objects.filter(pk__gt=after)
    if reader.agency_id is not None:
        agencies = agencies.filter(pk=reader.agency_id)
    rows = list(
        agencies.annotate(credit_level=_standing_level("agency", reader.today))
        .order_by("pk")
        .values(
            "pk",
            "name",
            "credit_code",
            "district",
            "filing_status",
            "is_demonstration_station",
            "demonstration_year",
            "credit_level",
        )[: reader.chunk_size]
    )
    if not rows:
        return [], set()
    filed = dict(
        Worker.objects.filter(
            agency_id__in=[r["pk"] for r in rows],
            filings__is_current=True,
            filings__status=FilingStatus.APPROVED,
        )
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    records = [
        (
            r["pk"],
            {
                "name": r["name"],
                "credit_code": r["credit_code"],
                "district": str(District(r["district"]).label) if r["district"] else "",
                **_filing(r["filing_status"], reader),
                "is_demonstration_station": r["is_demonstration_station"],
                "demonstration_year": r["demonstration_year"],
                "filed_workers": filed.get(r["pk"], 0),
                "credit": _credit(r["credit_level"], reader),
            },
        )
        for r in rows
    ]
    return records, set()


def _workers(reader: SnapshotReader, after: int) -> tuple[list, set[int]]:
    # One current filing per worker (a database rule): its status comes through the
    # join of the filter, so a worker is one row.
    # Each read names the filing in one filter() call, so that it is one join.
    scope = {} if reader.agency_id is None else {"agency_id": reader.agency_id}
    # The chunk's last key first (an index-only read), then the chunk as a key range:
    # PostgreSQL then plans the door colour's subqueries for the range's rows, by
    # index, instead of hashing whole tables for every chunk (measured: 25 µs a worker
    # against 400 with a LIMIT, benchmarks/partners_snapshot.py).
    keys = list(
        Worker.objects.filter(
            filings__is_current=True, filings__worker_id__gt=after, pk__gt=after, **scope
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: reader.chunk_size]
    )
    if not keys:
        return [], set()
    rows = list(
        Worker.objects.filter(filings__is_current=True, pk__gt=after, pk__lte=keys[-1], **scope)
        .annotate(
            filing_status=F("filings__status"),
            door_colour=door_colour_expression(today=reader.today),
            credit_level=_standing_level("worker", reader.today),
        )
        .order_by("pk")
        .values(
            "pk",
            "name",
            "id_number_encrypted",
            "phone",
            "card_number",
            "health_check_expiry",
            "agency__name",
            "agency__credit_code",
            "filing_status",
            "door_colour",
            "credit_level",
        )
    )
    if not rows:
        return [], set()
    employments = {
        e["worker_id"]: e
        for e in Employment.objects.filter(
            worker_id__in=[r["pk"] for r in rows], end_date__isnull=True
        )
        .order_by("start_date", "pk")
        .values(
            "worker_id",
            "agency__name",
            "agency__credit_code",
            "start_date",
            "service_category__name",
        )
    }
    records = [(r["pk"], _worker_record(r, employments.get(r["pk"]), reader)) for r in rows]
    return records, {r["pk"] for r in rows}


def _worker_record(row: dict, employment: dict | None, reader: SnapshotReader) -> dict:
    person = _Person(
        row["name"], decrypt(row["id_number_encrypted"]), row["phone"], row["card_number"]
    )
    return {
        "id": row["pk"],
        **person_fields(person, unmasked=reader.unmasked),
        **_filing(row["filing_status"], reader),
        "agency": {"name": row["agency__name"], "credit_code": row["agency__credit_code"]}
        if row["agency__credit_code"]
        else None,
        "current_employment": {
            "agency_name": employment["agency__name"],
            "agency_credit_code": employment["agency__credit_code"],
            "start_date": _iso(employment["start_date"]),
            "service_category": employment["service_category__name"] or "",
        }
        if employment
        else None,
        "health_check_expiry": _iso(row["health_check_expiry"]),
        "credit": _credit(row["credit_level"], reader),
        "door": {"colour": row["door_colour"], "label": reader.labels["door"][row["door_colour"]]},
    }


_CERTIFICATE_FIELDS = (
    "pk",
    "number",
    "revision",
    "issued_on",
    "expires_on",
    "revoked_at",
    "superseded_by_id",
    "worker_id",
    "type__name",
    "type__issuing_authority",
    "worker__name",
    "worker__id_number_encrypted",
    "worker__phone",
    "worker__card_number",
    "worker__agency__name",
)


def _certificates(reader: SnapshotReader, after: int) -> tuple[list, set[int]]:
    certificates = Certificate.objects.filter(pk__gt=after)
    if reader.agency_id is not None:
        certificates = certificates.filter(worker__agency_id=reader.agency_id)
    rows = list(
        certificates.select_related("type", "worker__agency")
        .only(*_CERTIFICATE_FIELDS)
        .order_by("pk")[: reader.chunk_size]
    )
    records = [(c.pk, _certificate_record(c, reader)) for c in rows]
    return records, {c.worker_id for c in rows}


def _certificate_record(certificate: Certificate, reader: SnapshotReader) -> dict:
    fields = certificate_fields(certificate, unmasked=reader.unmasked, today=reader.today)
    return {
        **{
            key: _iso(value) if isinstance(value, datetime.date) else value
            for key, value in fields.items()
        },
        "worker_id": certificate.worker_id,
    }


def _credit_records(reader: SnapshotReader, after: int) -> tuple[list, set[int]]:
    filed_worker = Exists(Filing.objects.filter(worker_id=OuterRef("worker_id"), is_current=True))
    records = CreditRecord.objects.filter(
        active_credit_records_q(reader.today),
        Q(agency__isnull=False) | filed_worker,
        is_public=True,
        pk__gt=after,
    )
    if reader.agency_id is not None:
        records = records.filter(
            Q(agency_id=reader.agency_id) | Q(worker__agency_id=reader.agency_id)
        )
    rows = list(
        records.select_related("agency")
        .only(
            "pk",
            "kind",
            "occurred_on",
            "source",
            "description",
            "expires_on",
            "worker_id",
            "agency__credit_code",
        )
        .order_by("pk")[: reader.chunk_size]
    )
    records = [
        (
            r.pk,
            {
                "id": r.pk,
                "subject": {"worker_id": r.worker_id}
                if r.worker_id
                else {"agency": r.agency.credit_code},
                **{
                    key: _iso(value) if isinstance(value, datetime.date) else value
                    for key, value in credit_record_fields(r).items()
                },
            },
        )
        for r in rows
    ]
    return records, set()


#: Each reader returns the next chunk's ``(pk, record)`` rows and the workers they show.
SECTION_READERS: dict[str, Callable[[SnapshotReader, int], tuple[list, set[int]]]] = {
    "agencies": _agencies,
    "workers": _workers,
    "certificates": _certificates,
    "credit_records": _credit_records,
}


@dataclass(frozen=True)
class Chunk:
    """One query's worth of a section: ``rows`` as ``(pk, record)`` in key order, and
    the workers whose person the records show (for their view log)."""

    section: str
    rows: list[tuple[int, dict]]
    workers_shown: frozenset[int]


def snapshot_chunks(
    reader: SnapshotReader, sections, *, section: str = "", after: int = 0
) -> Iterator[Chunk]:
    """The records of `sections`, chunk by chunk in stream order, starting just after
    record `after` of `section` (from the start when `section` is empty)."""
    ordered = [s for s in SECTIONS if s in sections]
    if section:
        ordered = ordered[ordered.index(section) :]
    for name in ordered:
        last = after if name == section else 0
        while True:
            rows, shown = SECTION_READERS[name](reader, last)
            if rows:
                yield Chunk(name, rows, frozenset(shown))
            if len(rows) < reader.chunk_size:
                break
            last = rows[-1][0]
