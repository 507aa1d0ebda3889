"""Bulk jobs run in Celery chunks (``CertificateBatch``): regenerate a type's files after a
template change, issue for a cohort; their plan, chunks, progress and restart when stuck."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit

from ..models import Certificate, CertificateBatch, CertificateType
from ..selectors.pending import attempts_without_certificate
from .common import CertificateRefused, signed_in_user
from .issuing import certificates_issue
from .rendering import certificates_render

logger = logging.getLogger(__name__)

BATCH_PLAN_TASK = "certificates.tasks.certificate_batch_plan"


def certificate_type_regenerate(*, cert_type: CertificateType, acting_user) -> CertificateBatch:
    """After a template change (staff with the bulk permission): count the template up and
    re-render every current certificate of the type in a batch."""
    with transaction.atomic():
        CertificateType.objects.filter(pk=cert_type.pk).update(
            template_revision=F("template_revision") + 1
        )
        cert_type.refresh_from_db(fields=["template_revision"])
        total = Certificate.objects.current().filter(type=cert_type).count()
        batch = CertificateBatch.objects.create(
            kind=CertificateBatch.Kind.REGENERATE,
            type=cert_type,
            total=total,
            created_by=signed_in_user(acting_user),
        )
        audit(
            cert_type,
            "certificates.type_regenerate",
            user=acting_user,
            data={"template_revision": cert_type.template_revision, "certificates": total},
        )
        _start_batch(batch)
    return batch


def cohort_attempts(*, cert_type: CertificateType, agency=None, since=None) -> list:
    """Passed attempts at the type's exam with no certificate yet (optionally one agency's)."""
    attempts = [
        a for a in attempts_without_certificate(since=since) if a.exam_id == cert_type.exam_id
    ]
    if agency is not None:
        attempts = [a for a in attempts if a.worker.agency_id == agency.pk]
    return attempts


def certificate_batch_issue(
    *, cert_type: CertificateType, acting_user, agency=None, since: datetime.date | None = None
) -> CertificateBatch:
    """Issue certificates for a cohort in a batch (staff with the bulk permission): every passed
    attempt at the type's exam still without one; refuses a type that no exam earns."""
    if cert_type.exam_id is None:
        raise ValidationError(_("这类证书没有关联考试，不能批量发证。"), code="no_exam")
    since_dt = (
        timezone.make_aware(datetime.datetime.combine(since, datetime.time.min)) if since else None
    )
    with transaction.atomic():
        total = len(cohort_attempts(cert_type=cert_type, agency=agency, since=since_dt))
        batch = CertificateBatch.objects.create(
            kind=CertificateBatch.Kind.ISSUE,
            type=cert_type,
            agency=agency,
            passed_since=since,
            total=total,
            created_by=signed_in_user(acting_user),
        )
        audit(
            batch,
            "certificates.batch_issue",
            user=acting_user,
            data={"type": cert_type.code, "agency": agency.pk if agency else None, "total": total},
        )
        _start_batch(batch)
    return batch


def _start_batch(batch: CertificateBatch) -> None:
    """Send the batch's plan after commit.

    When the task system cannot take it (Redis down), the batch stays pending
    with ``batch.waiting_for_tasks`` set, for the admin to say so, and
    :func:`batches_restart_stuck` starts it once the broker is back.
    """
    from lms.tasks import send_task

    def _send():
        batch.waiting_for_tasks = not send_task(BATCH_PLAN_TASK, batch.pk)

    batch.waiting_for_tasks = False
    transaction.on_commit(_send)


def batch_chunk_size() -> int:
    """How many ids one batch chunk (one Celery message) works through (``CERTIFICATES_BATCH_CHUNK``)."""
    return getattr(settings, "CERTIFICATES_BATCH_CHUNK", 200)


def batch_stale_seconds() -> int:
    """Seconds without progress after which an unfinished batch counts as stuck
    (``CERTIFICATES_BATCH_STALE_SECONDS``): longer than any one chunk takes."""
    return getattr(settings, "CERTIFICATES_BATCH_STALE_SECONDS", 10 * 60)


def _alive_name(batch_id: int) -> str:
    return f"certificates.batch:{batch_id}"


def batches_restart_stuck(*, now: datetime.datetime | None = None) -> list[int]:
    """Restart every unfinished batch that showed no progress for :func:`batch_stale_seconds`.

    Its messages were lost (a broker outage, a worker killed): the plan never
    came, or chunks never ran. Progress is the batch's heartbeat (lms.heartbeat),
    written when it is planned, after each chunk and at each restart; a batch
    that never had one counts from its creation. Returns the restarted ids.
    """
    from lms.heartbeat import heartbeats_last

    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=batch_stale_seconds())
    unfinished = dict(
        CertificateBatch.objects.exclude(state=CertificateBatch.State.DONE)
        .filter(created_at__lt=cutoff)
        .values_list("pk", "created_at")
    )
    alive = heartbeats_last(names=[_alive_name(pk) for pk in unfinished])
    stuck = [
        pk
        for pk, created_at in unfinished.items()
        if alive.get(_alive_name(pk), created_at) < cutoff
    ]
    for pk in stuck:
        batch_restart(batch_id=pk)
    return stuck


@transaction.atomic
def batch_restart(*, batch_id: int) -> None:
    """Plan an unfinished batch again, from what the database says is still undone.

    Safe to repeat: issuing is idempotent per attempt (a certificate already
    issued is found, not issued again) and rendering skips current files. An
    issue batch keeps its count of issued certificates and plans the rest; a
    regenerate batch starts its count again. Refusals are asked again.
    """
    from lms.heartbeat import heartbeat_record

    batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
    if batch.state == CertificateBatch.State.DONE:
        return
    logger.warning(
        "Restarting stuck certificate batch %s (%s/%s)", batch.pk, batch.done, batch.total
    )
    batch.state = CertificateBatch.State.PENDING
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        batch.done = 0
    batch.failed = 0
    batch.errors = []
    batch.save(update_fields=["state", "done", "failed", "errors"])
    heartbeat_record(name=_alive_name(batch.pk))
    _start_batch(batch)


def batch_plan(*, batch_id: int) -> list[list[int]]:
    """The id chunks a batch works through (certificates to render, or attempts to issue for)."""
    batch = CertificateBatch.objects.select_related("type", "agency").get(pk=batch_id)
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        ids = list(
            Certificate.objects.current()
            .filter(type=batch.type)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    else:
        since = (
            timezone.make_aware(datetime.datetime.combine(batch.passed_since, datetime.time.min))
            if batch.passed_since
            else None
        )
        ids = [
            a.pk for a in cohort_attempts(cert_type=batch.type, agency=batch.agency, since=since)
        ]
    # A restarted issue batch plans only what is still undone; what it issued before counts.
    already = batch.done if batch.kind == CertificateBatch.Kind.ISSUE else 0
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state=CertificateBatch.State.RUNNING if ids else CertificateBatch.State.DONE,
        total=already + len(ids),
        finished_at=None if ids else timezone.now(),
    )
    _record_alive(batch.pk, finished=not ids)
    size = batch_chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def batch_run_chunk(*, batch_id: int, ids: list[int]) -> tuple[int, int]:
    """Work one chunk of a batch; progress is counted in the database. Returns (done, failed).

    An issue chunk is issued in one go (:func:`certificates_issue`); its
    certificates are rendered after commit by one render message.
    """
    batch = CertificateBatch.objects.get(pk=batch_id)
    done = failed = 0
    errors = []
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        result = certificates_render(certificate_ids=ids)
        failed = len(result.failed)
        done = len(ids) - failed
        errors = [{"id": pk, "message": message} for pk, message in result.failed.items()]
    else:
        outcome = certificates_issue(attempt_ids=ids, acting_user=batch.created_by)
        for pk in ids:
            result = outcome[pk]
            if isinstance(result, CertificateRefused):
                failed += 1
                errors.append({"id": pk, "message": result.messages[0]})
            else:
                done += 1
    _record_progress(batch_id, done, failed, errors)
    return done, failed


@transaction.atomic
def _record_progress(batch_id: int, done: int, failed: int, errors: list) -> None:
    batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
    batch.done = F("done") + done
    batch.failed = F("failed") + failed
    batch.errors = (batch.errors + errors)[-50:]
    batch.save(update_fields=["done", "failed", "errors"])
    batch.refresh_from_db(fields=["done", "failed", "total"])
    finished = batch.done + batch.failed >= batch.total
    if finished and batch.state != CertificateBatch.State.DONE:
        batch.state = CertificateBatch.State.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "finished_at"])
    _record_alive(batch_id, finished=finished)


def _record_alive(batch_id: int, *, finished: bool) -> None:
    """The batch's progress, for :func:`batches_restart_stuck`; forgotten once it is done."""
    from lms.heartbeat import heartbeat_forget, heartbeat_record

    if finished:
        heartbeat_forget(name=_alive_name(batch_id))
    else:
        heartbeat_record(name=_alive_name(batch_id))
