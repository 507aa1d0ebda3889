"""Writes of the partners app: client secrets (issue, revoke) and the call log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from lms.audit import audit

from .models import Partner, PartnerCall, PartnerCredential

#: A partner holds at most this many live secrets: the current one and, during a
#: rotation, its successor.
MAX_LIVE_CREDENTIALS = 2


class CredentialRefused(Exception):
    """A credential could not be issued; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def partner_credential_create(
    *, partner: Partner, acting_user=None, client_id: str = "", secret: str = ""
) -> tuple[PartnerCredential, str]:
    """A new client id and secret for `partner` (a DOT application of its own); returns
    the credential and the secret in clear, which is never stored and never shown again.

    Refused when the partner already has two live secrets: one must be revoked first.
    `client_id` and `secret` are for the demo only (fixed and published).
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.credentials.filter(revoked_at__isnull=True).count() >= MAX_LIVE_CREDENTIALS:
        raise CredentialRefused(_("该系统已有两个有效密钥，请先吊销旧密钥再新建。"))
    secret = secret or generate_client_secret()
    Application = get_application_model()
    application = Application(
        name=f"{partner.name} #{partner.credentials.count() + 1}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,  # hashed by DOT when saved
        hash_client_secret=True,
        skip_authorization=True,
    )
    if client_id:
        application.client_id = client_id
    application.save()
    credential = PartnerCredential.objects.create(
        partner=partner,
        application=application,
        client_id=application.client_id,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    audit(
        partner,
        "partners.credential_create",
        user=acting_user,
        data={"client_id": credential.client_id},
    )
    return credential, secret


@transaction.atomic
def partner_credential_revoke(*, credential: PartnerCredential, acting_user=None) -> None:
    """Revoke a secret at once: its DOT application goes, and with it every token it was
    issued. The credential row stays as history. Revoking twice changes nothing."""
    credential = PartnerCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.revoked_at is not None:
        return
    application = credential.application
    credential.revoked_at = timezone.now()
    credential.revoked_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    credential.application = None
    credential.save(update_fields=["revoked_at", "revoked_by", "application"])
    if application is not None:
        application.delete()  # cascades to its access tokens
    audit(
        credential.partner,
        "partners.credential_revoke",
        user=acting_user,
        data={"client_id": credential.client_id},
    )


def partner_call_record(
    *,
    partner: Partner | None,
    client_id: str = "",
    method: str,
    endpoint: str,
    scope: str = "",
    purpose: str = "",
    subjects: int = 0,
    status: int,
    problem: str = "",
    duration_ms: int = 0,
    client_address: str = "",
) -> PartnerCall:
    """Write one row of the call log (every partner call, refusals included)."""
    return PartnerCall.objects.create(
        at=timezone.now(),
        partner=partner,
        client_id=client_id[:100],
        method=method[:10],
        endpoint=endpoint[:60],
        scope=scope[:200],
        purpose=purpose[:200],
        subjects=subjects,
        status=status,
        problem=problem[:40],
        duration_ms=max(0, int(duration_ms)),
        client_address=client_address or None,
    )


#: Rows deleted per statement when purging, so no purge holds a long lock.
PURGE_BATCH = 5000


def partner_calls_purge(*, now=None) -> int:
    """Delete call-log rows older than ``PARTNER_CALLS_RETENTION_DAYS``, oldest first in
    batches; returns how many went. Idempotent (the beat runs it daily)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PARTNER_CALLS_RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(
            PartnerCall.objects.filter(at__lt=cutoff)
            .order_by("at", "pk")
            .values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not batch:
            return deleted
        count, _detail = PartnerCall.objects.filter(pk__in=batch).delete()
        deleted += count
