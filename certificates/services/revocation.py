"""Revoking certificates: one, with a reason, or every current one of a worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.outbox import EventType

from .. import purge as edge_purge
from ..credential_services import status_lists_rebuild_after_commit
from ..door_events import door_changes_announce
from ..models import Certificate
from .changes import certificate_events
from .common import signed_in_user


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, acting_user, reason: str) -> Certificate:
    """Revoke a current certificate with a reason (staff with the revoke permission); idempotent
    (revoking twice changes nothing); refuses an empty reason and a superseded certificate."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销原因。")}, code="reason")
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.revoked_at is not None:
        return cert
    if cert.superseded_by_id is not None:
        raise ValidationError(_("这张证书已被新证书取代，请撤销最新的证书。"), code="superseded")
    cert.revoked_at = timezone.now()
    cert.revoked_reason = reason
    cert.revoked_by = signed_in_user(acting_user)
    cert.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    audit(cert, "certificates.revoke", user=acting_user, data={"reason": reason})
    certificate_events(
        EventType.CERTIFICATE_REVOKED,
        [cert],
        extra={cert.pk: {"revoked_at": cert.revoked_at.isoformat()}},
    )
    door_changes_announce([cert.worker_id])
    edge_purge.tokens_after_commit(cert.token)
    status_lists_rebuild_after_commit(certificate_ids=[cert.pk])
    return cert


def certificates_revoke_for_worker(*, worker, reason: str, acting_user=None) -> list[Certificate]:
    """Revoke every current certificate of a worker (the registry's blacklisting, through a task);
    returns those revoked."""
    revoked = []
    ids = list(Certificate.objects.current().filter(worker=worker).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            cert = Certificate.objects.select_for_update().get(pk=pk)
            if cert.is_current:
                revoked.append(
                    certificate_revoke(certificate=cert, acting_user=acting_user, reason=reason)
                )
    return revoked
