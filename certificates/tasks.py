"""Celery tasks of the certificates app: thin, idempotent adapters over services.

Tasks take ids. PostgreSQL is the source of truth: ``certificates_reconcile``
finds what a lost message or a killed worker left undone (a passed attempt
without its certificate, a certificate without its PDF, a batch without
progress) and sends it again.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from celery import group, shared_task

from lms.audit import audit, audit_entries

logger = logging.getLogger(__name__)

RECONCILE_LIMIT = 500


@shared_task(name="certificates.tasks.certificate_issue_for_attempt", acks_late=True)
def certificate_issue_for_attempt(attempt_id: int) -> int | None:
    """Issue the certificate a passed attempt earns (sent by the exams app by name)."""
    from exams import selectors as exam_selectors

    from .services.common import CertificateRefused
    from .services.issuing import certificate_issue

    attempt = exam_selectors.passed_attempts().filter(pk=attempt_id).first()
    if attempt is None:
        logger.info("Attempt %s is not a passed attempt; no certificate", attempt_id)
        return None
    try:
        return certificate_issue(attempt=attempt).pk
    except CertificateRefused as refusal:
        # The reconciler asks again every run; one audit entry per reason is enough.
        already = audit_entries(attempt).filter(
            action="certificates.issue_refused", data__code=refusal.code
        )
        if not already.exists():
            with transaction.atomic():
                audit(
                    attempt,
                    "certificates.issue_refused",
                    data={"code": refusal.code, "reason": refusal.messages[0]},
                )
        return None


@shared_task(
    name="certificates.tasks.certificate_render_task",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def certificate_render_task(certificate_id: int) -> bool:
    """Render (or skip, if current) the PDF and card of one certificate."""
    from .services.rendering import certificate_render

    return certificate_render(certificate_id=certificate_id)


@shared_task(name="certificates.tasks.certificate_render_many", acks_late=True)
def certificate_render_many(certificate_ids: list[int]) -> int:
    """Render the certificates of one issued chunk, after its commit (idempotent per certificate)."""
    from .services.rendering import certificates_render

    return certificates_render(certificate_ids=certificate_ids).rendered


@shared_task(name="certificates.tasks.certificates_revoke_for_blacklisted_worker", acks_late=True)
def certificates_revoke_for_blacklisted_worker(worker_id: int) -> int:
    """Revoke a blacklisted worker's certificates (sent by the registry by name)."""
    from django.utils.translation import gettext as _

    from registry.models import Worker
    from registry.selectors.credit import worker_is_blacklisted

    from .services.revocation import certificates_revoke_for_worker

    worker = Worker.objects.filter(pk=worker_id).first()
    if worker is None or not worker_is_blacklisted(worker):
        return 0
    revoked = certificates_revoke_for_worker(
        worker=worker, reason=_("持证人被列入黑名单，证书自动撤销。")
    )
    return len(revoked)


@shared_task(name="certificates.tasks.certificates_remind_expiring", acks_late=True)
def certificates_remind_expiring() -> int:
    """Daily: remind holders and agencies of certificates expiring within 30 days."""
    from .services.reminders import certificates_remind_expiring as remind

    return remind().certificates


@shared_task(name="certificates.tasks.certificates_reconcile", acks_late=True)
def certificates_reconcile() -> dict:
    """Periodic: issue for passed attempts without a certificate; re-render missing PDFs;
    restart batches stuck without progress (their messages lost)."""
    from .selectors.pending import attempts_without_certificate, certificates_needing_pdf
    from .services.batches import batches_restart_stuck

    settled = timezone.now() - datetime.timedelta(minutes=5)
    attempts = [
        a.pk for a in attempts_without_certificate(settled_before=settled, limit=RECONCILE_LIMIT)
    ]
    for attempt_id in attempts:
        certificate_issue_for_attempt.delay(attempt_id)
    renders = list(certificates_needing_pdf().values_list("pk", flat=True)[:RECONCILE_LIMIT])
    for certificate_id in renders:
        certificate_render_task.delay(certificate_id)
    batches = batches_restart_stuck()
    if attempts or renders or batches:
        logger.info(
            "Reconciler sent %d issues and %d renders, restarted %d batches",
            len(attempts),
            len(renders),
            len(batches),
        )
    return {"issued": len(attempts), "rendered": len(renders), "batches": len(batches)}


@shared_task(name="certificates.tasks.certificate_batch_plan", acks_late=True)
def certificate_batch_plan(batch_id: int) -> int:
    """Split a bulk job into chunks and send one task per chunk."""
    from .services.batches import batch_plan

    chunks = batch_plan(batch_id=batch_id)
    if chunks:
        group(certificate_batch_chunk.s(batch_id, ids) for ids in chunks).apply_async()
    return len(chunks)


@shared_task(name="certificates.tasks.certificate_batch_chunk", acks_late=True)
def certificate_batch_chunk(batch_id: int, ids: list[int]) -> tuple[int, int]:
    """Work one chunk of a bulk job; its progress shows in the admin."""
    from .services.batches import batch_run_chunk

    return batch_run_chunk(batch_id=batch_id, ids=ids)


@shared_task(name="certificates.tasks.credential_status_lists_rebuild", acks_late=True)
def credential_status_lists_rebuild(certificate_ids: list[int]) -> list[int]:
    """Re-sign the status lists holding these certificates' credentials (after a revocation,
    reissue or renewal). Idempotent: the bits are read from the database each time."""
    from .credential_services import status_lists_rebuild

    return status_lists_rebuild(certificate_ids=certificate_ids)


@shared_task(name="certificates.tasks.certificates_announce_expired", acks_late=True)
def certificates_announce_expired() -> int:
    """Daily, just after midnight: ``certificate.expired`` once per certificate whose expiry
    passed (idempotent; catches up missed days)."""
    from .services.changes import certificates_expire_sweep

    return certificates_expire_sweep()


@shared_task(name="certificates.tasks.door_changes_sweep", acks_late=True)
def door_changes_sweep() -> dict:
    """Daily, after the expiry sweeps: ``door.changed`` for every colour time changed
    (idempotent: compared with the colour last announced)."""
    from .door_events import door_changes_sweep as sweep

    return sweep()


@shared_task(name="certificates.tasks.certificates_purge_expired", acks_late=True)
def certificates_purge_expired() -> int:
    """Daily, just after midnight: purge from the edge the verify pages of certificates that
    expired at the end of yesterday (and the day before, should a run have been missed)."""
    from lms import edge

    from .models import Certificate
    from .purge import verify_paths

    today = timezone.localdate()
    tokens = list(
        Certificate.objects.filter(
            expires_on__gte=today - datetime.timedelta(days=2), expires_on__lt=today
        ).values_list("token", flat=True)
    )
    edge.purge_paths_now(verify_paths(tokens))
    return len(tokens)
