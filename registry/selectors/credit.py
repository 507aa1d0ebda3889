"""Credit standing (信用状况): which credit records count, and what they make of a worker or agency."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Agency, CreditRecord, Worker


@dataclass(frozen=True)
class Standing:
    """A computed credit standing (信用状况) and the records that explain it."""

    level: str  # "good" | "caution" | "blacklisted"
    label: str
    records: list = field(default_factory=list)

    GOOD = "good"
    CAUTION = "caution"
    BLACKLISTED = "blacklisted"

    @property
    def css(self) -> str:
        return {"good": "ok", "caution": "warn", "blacklisted": "bad"}[self.level]

    @property
    def is_blacklisted(self) -> bool:
        return self.level == self.BLACKLISTED


STANDING_LABELS = {
    Standing.GOOD: _("信用良好"),
    Standing.CAUTION: _("有不良记录"),
    Standing.BLACKLISTED: _("已列入黑名单"),
}


def credit_record_is_active(record: CreditRecord, today=None) -> bool:
    """A record counts until its expiry date (the expiry day itself no longer counts)."""
    today = today or timezone.localdate()
    return record.occurred_on <= today and (record.expires_on is None or record.expires_on > today)


#: Active records of these kinds make a standing "blacklisted" (a red door code).
BLACKLIST_KINDS = frozenset({CreditRecord.Kind.BLACKLIST})


#: Active records of these kinds make a standing "caution" (a yellow door code).
CAUTION_KINDS = frozenset({CreditRecord.Kind.VIOLATION, CreditRecord.Kind.COMPLAINT})


def active_credit_records_q(today=None) -> Q:
    """The filter for credit records that count on `today`: occurred and not expired."""
    today = today or timezone.localdate()
    return Q(occurred_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gt=today))


def standing_annotations(subject: str, *, today=None) -> dict:
    """The credit standing of ``Worker`` or ``Agency`` rows as database expressions,
    by the rule of :func:`standing_from_records`: ``is_blacklisted`` and
    ``has_bad_record`` (an active complaint or violation). `subject` is the credit
    record's field naming the row ("worker" or "agency")."""
    active = CreditRecord.objects.filter(
        active_credit_records_q(today), **{subject: OuterRef("pk")}
    )
    return {
        "is_blacklisted": Exists(active.filter(kind__in=BLACKLIST_KINDS)),
        "has_bad_record": Exists(active.filter(kind__in=CAUTION_KINDS)),
    }


def standing_from_records(records, *, today=None, public_only: bool = False) -> Standing:
    """Standing from a list of records: any active blacklisting → blacklisted;
    any active complaint or violation → caution; otherwise good.

    The level always counts every active record (internal ones too); with
    `public_only` the explaining records shown are the public ones.
    """
    active = [r for r in records if credit_record_is_active(r, today)]
    kinds = {r.kind for r in active}
    if kinds & BLACKLIST_KINDS:
        level = Standing.BLACKLISTED
    elif kinds & CAUTION_KINDS:
        level = Standing.CAUTION
    else:
        level = Standing.GOOD
    shown = [r for r in active if r.is_public] if public_only else active
    shown.sort(key=lambda r: (r.occurred_on, r.pk or 0), reverse=True)
    return Standing(level=level, label=str(STANDING_LABELS[level]), records=shown)


def _records_of(subject, relation: str) -> list[CreditRecord]:
    records = getattr(subject, "prefetched_credit_records", None)
    if records is not None:
        return list(records)
    return list(CreditRecord.objects.filter(**{relation: subject}))


def worker_credit_standing(worker: Worker, *, public_only: bool = False, today=None) -> Standing:
    """The worker's credit standing, explained by its active records."""
    return standing_from_records(
        _records_of(worker, "worker"), today=today, public_only=public_only
    )


def agency_credit_standing(agency: Agency, *, public_only: bool = False, today=None) -> Standing:
    """The agency's credit standing, explained by its active records."""
    return standing_from_records(
        _records_of(agency, "agency"), today=today, public_only=public_only
    )


def worker_is_blacklisted(worker: Worker, *, today=None) -> bool:
    """Whether an active blacklisting record stands against the worker."""
    today = today or timezone.localdate()
    return (
        CreditRecord.objects.filter(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
        .filter(active_credit_records_q(today))
        .exists()
    )


def blacklisted_worker_ids(*, today=None) -> QuerySet:
    """Ids of workers with an active blacklisting (for other apps' reconcilers)."""
    return (
        CreditRecord.objects.filter(kind=CreditRecord.Kind.BLACKLIST, worker__isnull=False)
        .filter(active_credit_records_q(today))
        .values_list("worker_id", flat=True)
    )
