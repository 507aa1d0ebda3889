"""Issuing certificates: for a passed exam attempt, for a chunk of attempts in bulk, and
granted without an attempt (a paper certificate carried over, a regulator's decision).

Every write is one atomic function that audits who did what and why, and
sends its side effects (rendering) only after commit.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit, audit_many
from lms.outbox import EventType
from registry.selectors.credit import blacklisted_worker_ids
from registry.selectors.filings import worker_filing_status

from .. import purge as edge_purge
from ..credential_services import status_lists_rebuild_after_commit
from ..door_events import door_changes_announce
from ..models import Certificate, CertificateSequence, CertificateType
from ..selectors.records import certificate_types_for_exams, current_certificate
from .changes import certificate_events, certificate_issued
from .common import (
    CertificateRefused,
    agency_of,
    check_holder,
    create_certificate,
    expiry_for,
    format_number,
    holder_refusal,
    lock_sequences,
    new_token,
    next_number,
    render_after_commit,
    render_many_after_commit,
    signed_in_user,
    supersede,
)


def certificate_issue(*, attempt, acting_user=None) -> Certificate:
    """Issue the certificate a passed attempt earns (the exams' task, the reconciler, the demo);
    refuses a failed attempt, a filing not approved, a blacklisted holder.

    The PDF is rendered after commit.

    Idempotent per attempt: a second call (or a concurrent one) returns the
    certificate already issued for it (the newest of its chain). A holder
    who still has a current certificate of the type gets a renewal: the new
    certificate supersedes the old one. Raises :class:`CertificateRefused`.
    """
    if attempt.status != "graded" or not attempt.passed:
        existing = Certificate.objects.filter(attempt=attempt).order_by("pk").first()
        if existing is not None:
            return current_certificate(existing)
        raise CertificateRefused(_("这次考试没有通过，不能发证。"), code="not_passed")
    outcome = certificates_issue(attempt_ids=[attempt.pk], acting_user=acting_user)[attempt.pk]
    if isinstance(outcome, CertificateRefused):
        raise outcome
    return current_certificate(outcome)


def certificates_issue(
    *, attempt_ids, acting_user=None
) -> dict[int, Certificate | CertificateRefused]:
    """Issue the certificates a chunk of passed attempts earn, in a constant number of queries
    (batch chunks); a refusal is returned per attempt, not raised.

    Returns, per attempt id, its certificate (the one issued now or, for an
    attempt that already has one, the first of its chain) or the
    :class:`CertificateRefused` saying why there is none. The same rules as
    for one attempt: refusal of a filing not approved or of a blacklisted
    holder, renewal of a current certificate of the type (also within the
    chunk, in the order the attempts were passed), one audit entry per
    issue and per superseded certificate, rendering after commit.

    The facts are read for the whole chunk before any lock is taken; then
    one transaction locks each (type, year) sequence row once, takes the
    next block of numbers, re-checks under the lock which attempts a
    concurrent issue has served meanwhile, and inserts the certificates and
    their audit entries in bulk. Numbers stay gap-free: a rolled-back chunk
    gives its whole block back.
    """
    ids = list(dict.fromkeys(attempt_ids))
    outcome: dict[int, Certificate | CertificateRefused] = dict(_certificates_of_attempts(ids))
    todo = [pk for pk in ids if pk not in outcome]
    if not todo:
        return outcome
    today = timezone.localdate()
    candidates = []
    for attempt, cert_type, refusal in _issue_checks(todo, today):
        if refusal is not None:
            outcome[attempt.pk] = refusal
        else:
            candidates.append((attempt, cert_type))
    for pk in todo:
        outcome.setdefault(
            pk, CertificateRefused(_("这次考试没有通过，不能发证。"), code="not_passed")
        )
    for tries in range(3):
        try:
            outcome.update(_issue_locked(candidates, today=today, acting_user=acting_user))
            break
        except IntegrityError:
            # The attempt's unique constraint caught a race the sequence lock
            # could not (two issues across a year boundary lock different
            # rows): retry; the re-check under the lock now sees the winner.
            if tries == 2:
                raise
    return outcome


def _certificates_of_attempts(attempt_ids) -> dict[int, Certificate]:
    """The first certificate issued for each of these attempts (one query)."""
    found: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(attempt_id__in=attempt_ids).order_by("pk"):
        found.setdefault(certificate.attempt_id, certificate)
    return found


def _issue_checks(attempt_ids, today):
    """(attempt, type, refusal or None) for the passed ones among `attempt_ids`, oldest first.

    Five queries whatever the number: the attempts with exam, worker and
    filing agency; the workers' filings; their open employments with the
    agency; the types of the exams; the blacklisted among the workers.
    """
    from django.db.models import Prefetch, prefetch_related_objects

    from exams import selectors as exam_selectors
    from registry.models import Employment

    attempts = list(
        exam_selectors.passed_attempts().filter(pk__in=attempt_ids).select_related("worker__agency")
    )
    if not attempts:
        return []
    workers = list({a.worker_id: a.worker for a in attempts}.values())
    prefetch_related_objects(
        workers,
        Prefetch("filings", to_attr="prefetched_filings"),
        Prefetch(
            "employments",
            queryset=Employment.objects.filter(end_date__isnull=True).select_related("agency"),
            to_attr="prefetched_employments",
        ),
    )
    types = certificate_types_for_exams({a.exam_id for a in attempts})
    blacklisted = set(
        blacklisted_worker_ids(today=today).filter(worker_id__in=[w.pk for w in workers])
    )
    checked = []
    for attempt in attempts:
        cert_type = types.get(attempt.exam_id)
        if cert_type is None:
            refusal = CertificateRefused(_("这门考试没有对应的证书。"), code="no_type")
        else:
            refusal = holder_refusal(
                worker_filing_status(attempt.worker),
                blacklisted=attempt.worker_id in blacklisted,
            )
        checked.append((attempt, cert_type, refusal))
    return checked


@transaction.atomic
def _issue_locked(candidates, *, today, acting_user) -> dict[int, Certificate]:
    """Number, insert, audit and schedule rendering for checked attempts (one transaction)."""
    if not candidates:
        return {}
    year = today.year
    sequences = lock_sequences({(cert_type.pk, year) for _, cert_type in candidates})
    # Under the lock: a concurrent issue of the same attempts has committed by now.
    issued = _certificates_of_attempts([attempt.pk for attempt, _ in candidates])
    fresh = [(a, t) for a, t in candidates if a.pk not in issued]
    current: dict[tuple[int, int], Certificate] = {}
    if fresh:
        for previous in (
            Certificate.objects.select_for_update()
            .current()
            .filter(
                worker_id__in={a.worker_id for a, _ in fresh},
                type_id__in={t.pk for _, t in fresh},
            )
            .order_by("issued_on", "pk")
        ):
            current[(previous.worker_id, previous.type_id)] = previous  # the newest wins
    user = signed_in_user(acting_user)
    created, renews = [], []
    for attempt, cert_type in fresh:
        sequence = sequences[(cert_type.pk, year)]
        sequence.last_value += 1
        worker = attempt.worker
        previous = current.get((worker.pk, cert_type.pk))
        certificate = Certificate(
            type=cert_type,
            number=format_number(cert_type.code, year, sequence.last_value),
            token=new_token(),
            worker=worker,
            attempt=attempt,
            agency=agency_of(worker),
            card_number=worker.card_number or "",
            issued_on=today,
            expires_on=expiry_for(today, cert_type.validity_months),
            revision=1,
            origin=Certificate.Origin.RENEWAL if previous else Certificate.Origin.ISSUE,
            issued_by=user,
        )
        created.append(certificate)
        renews.append(previous)
        current[(worker.pk, cert_type.pk)] = certificate
    if not created:
        return issued
    for sequence in sequences.values():
        CertificateSequence.objects.filter(pk=sequence.pk).update(last_value=sequence.last_value)
    Certificate.objects.bulk_create(created)
    superseded = []
    for certificate, previous in zip(created, renews, strict=True):
        if previous is not None:
            previous.superseded_by = certificate
            superseded.append(previous)
    if superseded:
        Certificate.objects.bulk_update(superseded, ["superseded_by"])
        status_lists_rebuild_after_commit(certificate_ids=[c.pk for c in superseded])
    entries = [
        (
            certificate,
            "certificates.issue",
            {
                "number": certificate.number,
                "attempt": certificate.attempt_id,
                "worker": certificate.worker_id,
                "type": certificate.type.code,
                "agency": certificate.agency_id,
                "renews": previous.number if previous else None,
            },
        )
        for certificate, previous in zip(created, renews, strict=True)
    ]
    entries += [
        (old, "certificates.supersede", {"by": old.superseded_by.number, "reason": "renewal"})
        for old in superseded
    ]
    audit_many(entries, user=acting_user)
    certificate_events(
        EventType.CERTIFICATE_ISSUED,
        created,
        extra={
            c.pk: {"replaces": previous.number if previous else None}
            for c, previous in zip(created, renews, strict=True)
        },
    )
    door_changes_announce({c.worker_id for c in created})
    edge_purge.tokens_after_commit(*[c.token for c in created], *[c.token for c in superseded])
    render_many_after_commit([c.pk for c in created if c.superseded_by_id is None])
    issued.update({c.attempt_id: c for c in created})
    return issued


@transaction.atomic
def certificate_grant(
    *,
    worker,
    cert_type: CertificateType,
    acting_user,
    reason: str,
    issued_on: datetime.date | None = None,
) -> Certificate:
    """Issue a certificate without an exam attempt (staff code, the demo data); refuses an
    empty reason, a date after today, and the holders :func:`certificate_issue` refuses.

    For a paper certificate of the earlier city system carried over, or a regulator's
    decision. Same numbering as :func:`certificate_issue` (in the year of `issued_on`).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写发证依据。")}, code="reason")
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        raise ValidationError({"issued_on": _("发证日期不能晚于今天。")}, code="future")
    check_holder(worker)
    number = next_number(cert_type, issued_on.year)
    previous = (
        Certificate.objects.select_for_update()
        .current()
        .filter(worker=worker, type=cert_type)
        .order_by("-issued_on", "-pk")
        .first()
    )
    certificate = create_certificate(
        cert_type=cert_type,
        worker=worker,
        number=number,
        issued_on=issued_on,
        origin=Certificate.Origin.RENEWAL if previous else Certificate.Origin.ISSUE,
        acting_user=acting_user,
    )
    if previous is not None:
        supersede(previous, certificate)
        audit(previous, "certificates.supersede", user=acting_user, data={"by": number})
        edge_purge.tokens_after_commit(previous.token)
    edge_purge.tokens_after_commit(certificate.token)
    audit(
        certificate,
        "certificates.issue",
        user=acting_user,
        data={"number": number, "worker": worker.pk, "type": cert_type.code, "reason": reason},
    )
    certificate_issued(certificate, replaces=previous)
    door_changes_announce([worker.pk])
    render_after_commit(certificate)
    return certificate
