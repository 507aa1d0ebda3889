"""The door code (上门码): whether a worker may come to a household's door.

The rule, stated once. A worker's code is the worst of five checks:

* **red** — the current filing was rejected or withdrawn; a current certificate
  (one not replaced by a renewal or reissue) is revoked; the worker is blacklisted.
* **yellow** — the filing is missing or not approved yet; the certificate, the
  health check or the liability insurance is missing, expired, not begun, or
  ends within ``EXPIRING_DAYS`` (30) days; an active complaint or violation
  stands (a "caution" credit standing).
* **green** — everything else: filing approved; a current certificate, the
  health check and an insurance covering today all valid beyond 30 days; no
  active complaint, violation or blacklisting.

The rule has two forms, side by side in this module: the Python form
(:func:`door_status_from`, which also says *why* in plain Chinese, one line a
check) and the SQL form (:func:`door_colour_expression`, the colour alone, for
counting and filtering many workers in the database). ``tests/trust/
test_door_colour_in_sql.py`` keeps them equal. The registry supplies the facts
(dates and statuses: ``registry.selectors.door_facts.door_facts_for_workers``); the verdicts
are made only here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import Filing, FilingStatus, Insurance, Worker
from registry.selectors.credit import Standing, standing_annotations
from registry.selectors.door_facts import door_facts_for_workers, worker_door_facts

from .models import Certificate

GREEN, YELLOW, RED = "green", "yellow", "red"
_RANK = {GREEN: 0, YELLOW: 1, RED: 2}
#: Days before an expiry date from which the code turns yellow.
EXPIRING_DAYS = 30

DOOR_LABELS = {
    GREEN: gettext_lazy("绿码 · 证照齐全"),
    YELLOW: gettext_lazy("黄码 · 请留意"),
    RED: gettext_lazy("红码 · 不能上门服务"),
}
DOOR_SHORT_LABELS = {
    GREEN: gettext_lazy("绿码"),
    YELLOW: gettext_lazy("黄码"),
    RED: gettext_lazy("红码"),
}


def short_label(colour: str) -> str:
    """The short label of a colour ("绿码"), or "" for no colour."""
    return str(DOOR_SHORT_LABELS.get(colour, ""))


DOOR_ICONS = {GREEN: "✔", YELLOW: "!", RED: "✖"}
DOOR_CSS = {GREEN: "ok", YELLOW: "warn", RED: "bad"}


@dataclass(frozen=True)
class DoorCheck:
    """One line of the door status: what was checked, its verdict and why, in plain words."""

    code: str
    level: str
    text: str

    @property
    def icon(self) -> str:
        return DOOR_ICONS[self.level]


@dataclass(frozen=True)
class DoorStatus:
    """A worker's door colour with the checks that decided it (dashboards contract)."""

    colour: str
    checks: tuple[DoorCheck, ...]

    @property
    def reasons(self) -> list[str]:
        """What keeps the code from green, worst first (empty for green)."""
        bad = [c for c in self.checks if c.level != GREEN]
        bad.sort(key=lambda c: -_RANK[c.level])
        return [c.text for c in bad]

    @property
    def codes(self) -> set[str]:
        return {c.code for c in self.checks if c.level != GREEN}

    @property
    def label(self) -> str:
        return str(DOOR_LABELS[self.colour])

    @property
    def icon(self) -> str:
        return DOOR_ICONS[self.colour]

    @property
    def css(self) -> str:
        return DOOR_CSS[self.colour]


def _d(value) -> str:
    return value.isoformat()


def _filing_check(status: str | None) -> DoorCheck:
    if status == FilingStatus.APPROVED:
        return DoorCheck("filing_ok", GREEN, _("备案已通过"))
    if status == FilingStatus.REJECTED:
        return DoorCheck("filing_rejected", RED, _("备案未通过审核"))
    if status == FilingStatus.WITHDRAWN:
        return DoorCheck("filing_withdrawn", RED, _("备案已注销"))
    if status is None:
        return DoorCheck("filing_missing", YELLOW, _("尚未备案"))
    return DoorCheck("filing_pending", YELLOW, _("备案还在审核中"))


def _certificate_check(certificates, today: datetime.date) -> DoorCheck:
    current = [c for c in certificates if c.superseded_by_id is None]
    revoked = [c for c in current if c.revoked_at is not None]
    if revoked:
        on = max(timezone.localdate(c.revoked_at) for c in revoked)
        return DoorCheck("certificate_revoked", RED, _("证书已撤销 %(date)s") % {"date": _d(on)})
    valid = [c for c in current if c.expires_on >= today]
    if valid:
        until = max(c.expires_on for c in valid)
        if until <= today + datetime.timedelta(days=EXPIRING_DAYS):
            return DoorCheck(
                "certificate_expiring", YELLOW, _("证书即将到期 %(date)s") % {"date": _d(until)}
            )
        return DoorCheck("certificate_ok", GREEN, _("证书有效至 %(date)s") % {"date": _d(until)})
    if current:
        ended = max(c.expires_on for c in current)
        return DoorCheck(
            "certificate_expired", YELLOW, _("证书已过期 %(date)s") % {"date": _d(ended)}
        )
    if certificates:
        return DoorCheck(
            "certificate_superseded", YELLOW, _("这张证书已换新，请服务员出示新证书的二维码")
        )
    return DoorCheck("certificate_missing", YELLOW, _("没有上门服务证"))


def _health_check(expiry, today: datetime.date) -> DoorCheck:
    if expiry is None:
        return DoorCheck("health_missing", YELLOW, _("没有体检记录"))
    if expiry < today:
        return DoorCheck("health_expired", YELLOW, _("体检已过期 %(date)s") % {"date": _d(expiry)})
    if expiry <= today + datetime.timedelta(days=EXPIRING_DAYS):
        return DoorCheck(
            "health_expiring", YELLOW, _("体检即将到期 %(date)s") % {"date": _d(expiry)}
        )
    return DoorCheck("health_ok", GREEN, _("体检有效至 %(date)s") % {"date": _d(expiry)})


def _insurance_check(facts, today: datetime.date) -> DoorCheck:
    until = facts.insurance_until
    if until is not None:
        if until <= today + datetime.timedelta(days=EXPIRING_DAYS):
            return DoorCheck(
                "insurance_expiring", YELLOW, _("保险即将到期 %(date)s") % {"date": _d(until)}
            )
        return DoorCheck("insurance_ok", GREEN, _("保险有效至 %(date)s") % {"date": _d(until)})
    if facts.insurance_ended is not None:
        return DoorCheck(
            "insurance_expired",
            YELLOW,
            _("保险已过期 %(date)s") % {"date": _d(facts.insurance_ended)},
        )
    if facts.insurance_starts is not None:
        return DoorCheck(
            "insurance_not_started",
            YELLOW,
            _("保险尚未生效，%(date)s 起生效") % {"date": _d(facts.insurance_starts)},
        )
    return DoorCheck("insurance_missing", YELLOW, _("没有登记责任保险"))


def _credit_check(level: str) -> DoorCheck:
    if level == Standing.BLACKLISTED:
        return DoorCheck("blacklisted", RED, _("已列入黑名单"))
    if level == Standing.CAUTION:
        return DoorCheck("credit_caution", YELLOW, _("有不良信用记录"))
    return DoorCheck("credit_ok", GREEN, _("信用良好"))


def door_status_from(facts, certificates, *, today: datetime.date) -> DoorStatus:
    """The door status from the registry's facts and the certificates considered (pure)."""
    checks = (
        _filing_check(facts.filing_status),
        _certificate_check(list(certificates), today),
        _health_check(facts.health_check_expiry, today),
        _insurance_check(facts, today),
        _credit_check(facts.standing_level),
    )
    colour = max((c.level for c in checks), key=_RANK.__getitem__)
    return DoorStatus(colour=colour, checks=checks)


_DOOR_CERT_FIELDS = ("pk", "worker_id", "expires_on", "revoked_at", "superseded_by_id")


def _current_certificates_of(worker_ids) -> dict[int, list[Certificate]]:
    found: dict[int, list[Certificate]] = {}
    for cert in (
        Certificate.objects.filter(worker_id__in=worker_ids, superseded_by__isnull=True)
        .only(*_DOOR_CERT_FIELDS)
        .order_by()
    ):
        found.setdefault(cert.worker_id, []).append(cert)
    return found


def door_status(worker, *, certificate: Certificate | None = None, today=None) -> DoorStatus:
    """One worker's door status; with `certificate`, judged on that certificate alone
    (the one the household scanned), else on all the worker's current certificates."""
    today = today or timezone.localdate()
    facts = worker_door_facts(worker, today=today)
    if certificate is not None:
        certificates = [certificate]
    else:
        certificates = _current_certificates_of([worker.pk]).get(worker.pk, [])
    return door_status_from(facts, certificates, today=today)


def door_status_for_workers(workers, *, today=None) -> dict[int, DoorStatus]:
    """{worker_id: DoorStatus} for many workers in four queries, whatever their number
    (one for workers from the registry's card lookup, which carry their door facts)."""
    today = today or timezone.localdate()
    facts = door_facts_for_workers(workers, today=today)
    certificates = _current_certificates_of(list(facts))
    return {
        pk: door_status_from(f, certificates.get(pk, []), today=today) for pk, f in facts.items()
    }


def door_colour_expression(*, today=None) -> Case:
    """The door colour of a ``Worker`` row as a database expression: the SQL form
    of the rule in this module's docstring, for counting and filtering many workers
    without loading them (the reasons still come from :func:`door_status_for_workers`)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    filings = Filing.objects.filter(worker=OuterRef("pk"), is_current=True)
    standing = standing_annotations("worker", today=today)
    certificates = Certificate.objects.filter(worker=OuterRef("pk"), superseded_by__isnull=True)
    red = (
        Exists(filings.filter(status__in=[FilingStatus.REJECTED, FilingStatus.WITHDRAWN]))
        | Exists(certificates.filter(revoked_at__isnull=False))
        | standing["is_blacklisted"]
    )
    green = (
        Exists(filings.filter(status=FilingStatus.APPROVED))
        & Exists(certificates.filter(expires_on__gt=soon))
        & Q(health_check_expiry__gt=soon)
        & Exists(
            Insurance.objects.filter(
                worker=OuterRef("pk"), start_date__lte=today, end_date__gt=soon
            )
        )
        & ~standing["is_blacklisted"]
        & ~standing["has_bad_record"]
    )
    return Case(
        When(red, then=Value(RED)),
        When(green, then=Value(GREEN)),
        default=Value(YELLOW),
        output_field=CharField(),
    )


def with_door_colour(workers: QuerySet, *, today=None) -> QuerySet:
    """`workers` annotated with ``door_colour`` ("green" / "yellow" / "red")."""
    return workers.annotate(door_colour=door_colour_expression(today=today))


def door_alerts(workers: QuerySet, *, limit: int = 8, today=None) -> list[dict]:
    """The first `limit` workers whose door code is red, then yellow, chosen in the
    database; only those get their reasons worked out. ``[{worker_id, name, status}]``."""
    rows = list(
        with_door_colour(workers, today=today)
        .filter(door_colour__in=[RED, YELLOW])
        .order_by("door_colour", "pk")  # "red" < "yellow"
        .values_list("pk", "name")[:limit]
    )
    if not rows:
        return []
    statuses = door_status_for_workers([pk for pk, _name in rows], today=today)
    return [
        {"worker_id": pk, "name": name, "status": statuses[pk]}
        for pk, name in rows
        if pk in statuses
    ]


def door_colour_totals(workers, *, today=None) -> dict[str, int]:
    """{"green": n, "yellow": n, "red": n} over `workers` (a queryset or ids): one
    grouped query in the database, whatever the number of workers."""
    if not isinstance(workers, QuerySet):
        workers = Worker.objects.filter(pk__in=_worker_pks(workers))
    counts = {GREEN: 0, YELLOW: 0, RED: 0}
    rows = (
        with_door_colour(workers.order_by(), today=today)
        .values("door_colour")
        .annotate(n=Count("pk"))
        .values_list("door_colour", "n")
    )
    for colour, n in rows:
        counts[colour] = n
    return counts


def door_colour_counts(workers, *, today=None) -> dict[str, int]:
    """{colour label: number of workers}, as :func:`door_colour_totals` counts them."""
    totals = door_colour_totals(workers, today=today)
    return {str(DOOR_SHORT_LABELS[colour]): n for colour, n in totals.items()}


def _worker_pks(workers) -> list[int]:
    return [w if isinstance(w, int) else w.pk for w in workers]
