"""Writes for verifiable certificates: status indexes and signed status lists.

Reads and the documents themselves are in ``certificates.credentials``.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import credentials
from .models import Certificate, CertificateCredential, CredentialStatusList

STATUS_TASK = "certificates.tasks.credential_status_lists_rebuild"


def _open_list() -> CredentialStatusList:
    """The list new indexes come from, locked; a new one when the last is full."""
    status_list = CredentialStatusList.objects.select_for_update().order_by("-pk").first()
    if status_list is None or status_list.is_full:
        size = credentials.STATUS_LIST_SIZE
        status_list = CredentialStatusList.objects.create(
            size=size,
            # Odd, so i -> stride*i + offset is a bijection modulo the power-of-two size.
            stride=secrets.randbelow(size // 2) * 2 + 1,
            offset=secrets.randbelow(size),
        )
        status_list = CredentialStatusList.objects.select_for_update().get(pk=status_list.pk)
    return status_list


def credential_record(*, certificate: Certificate) -> CertificateCredential:
    """The certificate's credential record, created with a fresh status index the first time.

    An index is handed out once: the list's counter only goes up, and the
    unique (list, index) constraint refuses any second holder. If two
    requests race for one certificate, the loser's index stays unused. Not
    audited: the record decides nothing, it follows from the certificate,
    whose issue, revocation and reissue are audited.
    """
    existing = CertificateCredential.objects.filter(certificate=certificate).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            status_list = _open_list()
            index = (status_list.stride * status_list.allocated + status_list.offset) % (
                status_list.size
            )
            status_list.allocated += 1
            status_list.save(update_fields=["allocated"])
            record = CertificateCredential.objects.create(
                certificate=certificate,
                uuid=uuid.uuid4(),
                status_list=status_list,
                status_index=index,
                salt=secrets.token_hex(16),
                created_at=timezone.now().replace(microsecond=0),
            )
    except IntegrityError:
        return CertificateCredential.objects.get(certificate=certificate)
    return record


def credential_records(*, certificates) -> dict[int, CertificateCredential]:
    """Records for many certificates (the ZIP, the bulk benchmark), created where missing."""
    found = {
        r.certificate_id: r
        for r in CertificateCredential.objects.filter(certificate__in=list(certificates))
    }
    for certificate in certificates:
        if certificate.pk not in found:
            found[certificate.pk] = credential_record(certificate=certificate)
    return found


def _set_indexes(status_list: CredentialStatusList) -> list[int]:
    """Indexes whose credential no longer counts: revoked, or superseded by a reissue/renewal."""
    return list(
        CertificateCredential.objects.filter(status_list=status_list)
        .exclude(certificate__revoked_at__isnull=True, certificate__superseded_by__isnull=True)
        .values_list("status_index", flat=True)
    )


def status_list_rebuild(*, status_list_id: int) -> dict:
    """Sign the list's current bitstring and keep it; idempotent (same bits, same answer)."""
    with transaction.atomic():
        status_list = CredentialStatusList.objects.select_for_update().get(pk=status_list_id)
        document = credentials.sign(
            credentials.unsigned_status_list(
                status_list.pk, _set_indexes(status_list), size=status_list.size
            )
        )
        status_list.document = document
        status_list.built_at = timezone.now()
        status_list.save(update_fields=["document", "built_at"])
    return document


def status_lists_rebuild(*, certificate_ids) -> list[int]:
    """Rebuild the lists holding these certificates' credentials; returns the lists rebuilt."""
    if not credentials.credentials_enabled():
        return []
    list_ids = sorted(
        set(
            CertificateCredential.objects.filter(
                certificate_id__in=list(certificate_ids)
            ).values_list("status_list_id", flat=True)
        )
    )
    for list_id in list_ids:
        status_list_rebuild(status_list_id=list_id)
    return list_ids


def status_lists_rebuild_after_commit(*, certificate_ids) -> None:
    """After the current transaction commits, send the rebuild task for these certificates."""
    from lms.tasks import send_task_by_name

    ids = [int(i) for i in certificate_ids]
    if ids:
        send_task_by_name(STATUS_TASK, ids)


def status_list_document(*, status_list: CredentialStatusList) -> dict:
    """The signed list, built now if it never was (a list nobody revoked from yet).

    Raises ``CredentialError`` when it was never built and this site cannot sign.
    """
    if status_list.document is None:
        return status_list_rebuild(status_list_id=status_list.pk)
    return status_list.document
