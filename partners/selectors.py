"""Reads of the partners app: who is calling, and the answers of the lookups.

The answers are built from the other apps' selectors (certificate status from
``Certificate.status_on``, the door colour from ``certificates.door``, the credit
standing from ``registry.selectors.credit``) and masked here, in one place: a
person's name, ID number, phone and card number are unmasked only for a token
holding ``pii:read`` (and then only with a stated purpose, checked by the API).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from oauth2_provider.models import get_access_token_model

from certificates.door import DoorStatus, door_status
from certificates.selectors.records import certificates_for_worker
from lms.masking import mask_id_number, mask_name, mask_phone, mask_tail
from registry.models import Branch, CreditRecord, FilingStatus, Worker
from registry.selectors.access import user_is_regulator, user_sees_all_workers
from registry.selectors.credit import worker_credit_standing
from registry.selectors.filings import worker_filing, worker_filing_status
from registry.selectors.lookups import agency_credit_lookup
from registry.selectors.public_record import public_agency
from registry.selectors.workers import worker_current_employment

from .models import Partner, PartnerCredential


def user_manages_partners(user) -> bool:
    """City regulators (and superusers) manage partner systems; nobody else sees them."""
    return bool(
        user is not None
        and user.is_authenticated
        and user_is_regulator(user)
        and user_sees_all_workers(user)
    )


def live_partner_for_application(application) -> Partner | None:
    """The active partner a DOT application (one secret) belongs to, or None (no partner,
    revoked secret, disabled partner)."""
    if application is None or application.pk is None:
        return None
    credential = (
        PartnerCredential.objects.select_related("partner")
        .filter(application_id=application.pk, revoked_at__isnull=True)
        .first()
    )
    if credential is None or not credential.partner.is_active:
        return None
    return credential.partner


def partner_for_client_id(client_id: str) -> Partner | None:
    """The partner a client id was issued to (revoked ones too), or None; for the call log."""
    if not client_id:
        return None
    credential = PartnerCredential.objects.select_related("partner").filter(client_id=client_id)
    found = credential.first()
    return found.partner if found else None


def access_token_for(raw_token: str):
    """The DOT access token with this value (looked up by its SHA-256, as DOT stores it),
    with its application, credential and partner; None when unknown."""
    if not raw_token or len(raw_token) > 255:
        return None
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    return (
        get_access_token_model()
        .objects.select_related("application__partner_credential__partner")
        .filter(token_checksum=checksum)
        .first()
    )


def partners_with_credentials() -> QuerySet[Partner]:
    """Partners with their agency and their secrets, for the admin."""
    return Partner.objects.select_related("agency").prefetch_related("credentials")


# --- answers -----------------------------------------------------------------------------


def _door(door: DoorStatus) -> dict:
    return {"colour": door.colour, "label": door.label, "reasons": door.reasons}


def person_fields(worker, *, unmasked: bool) -> dict:
    """Who a worker is: in full for ``pii:read``, else masked as on public pages."""
    if unmasked:
        return {
            "name": worker.name,
            "id_number": worker.id_number,
            "phone": worker.phone,
            "card_number": worker.card_number or "",
            "masked": False,
        }
    return {
        "name": mask_name(worker.name),
        "id_number": mask_id_number(worker.id_number),
        "phone": mask_phone(worker.phone),
        "card_number": mask_tail(worker.card_number or "", keep=4),
        "masked": True,
    }


def certificate_fields(certificate, *, unmasked: bool, today: datetime.date) -> dict:
    """What a partner reads of a certificate, in the lookup and the snapshot alike: status,
    type, dates, its holder (masked unless `unmasked`) and agency."""
    status = certificate.status_on(today)
    worker = certificate.worker
    return {
        "number": certificate.number,
        "revision": certificate.revision,
        "type": certificate.type.name,
        "issuer": certificate.type.issuing_authority,
        "status": str(status),
        "status_label": str(type(certificate).Status(status).label),
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "revoked_on": timezone.localdate(certificate.revoked_at)
        if certificate.revoked_at
        else None,
        "holder": person_fields(worker, unmasked=unmasked),
        "agency": worker.agency.name if worker.agency_id else "",
    }


def certificate_answer(certificate, *, unmasked: bool, today: datetime.date | None = None) -> dict:
    """A certificate as a partner looks it up: :func:`certificate_fields` and the door colour
    judged on this certificate (as the household's scan shows it)."""
    today = today or timezone.localdate()
    door = _door(door_status(certificate.worker, certificate=certificate, today=today))
    return {**certificate_fields(certificate, unmasked=unmasked, today=today), "door": door}


def worker_answer(worker, *, unmasked: bool, today: datetime.date | None = None) -> dict:
    """A worker as a partner reads it: filing, current employment, certificates, credit
    standing and door colour. `worker` comes from ``registry.selectors.workers.worker_own_record``
    (filings, employments and credit records prefetched)."""
    today = today or timezone.localdate()
    filing_status = worker_filing_status(worker)
    employment = worker_current_employment(worker)
    standing = worker_credit_standing(worker, public_only=True, today=today)
    return {
        **person_fields(worker, unmasked=unmasked),
        "filing_status": filing_status or "",
        "filing_label": str(FilingStatus(filing_status).label) if filing_status else "",
        "agency": {"name": worker.agency.name, "credit_code": worker.agency.credit_code}
        if worker.agency_id
        else None,
        "current_employment": {
            "agency_name": employment.agency.name,
            "agency_credit_code": employment.agency.credit_code,
            "start_date": employment.start_date,
            "service_category": employment.service_category.name
            if employment.service_category_id
            else "",
        }
        if employment
        else None,
        "health_check_expiry": worker.health_check_expiry,
        "certificates": [
            {
                "number": c.number,
                "type": c.type.name,
                "status": str(c.status_on(today)),
                "status_label": str(type(c).Status(c.status_on(today)).label),
                "issued_on": c.issued_on,
                "expires_on": c.expires_on,
            }
            for c in certificates_for_worker(worker)
        ],
        "credit": {
            "level": standing.level,
            "label": standing.label,
            "records": [credit_record_fields(r) for r in standing.records],
        },
        "door": _door(door_status(worker, today=today)),
    }


def credit_record_fields(record) -> dict:
    return {
        "kind": record.kind,
        "kind_label": str(record.get_kind_display()),
        "occurred_on": record.occurred_on,
        "source": record.source,
        "description": record.description,
        "expires_on": record.expires_on,
    }


def agency_by_credit_code(code: str):
    """The agency with this (valid, compact) credit code, or None."""
    return next((a for a in agency_credit_lookup(query=code) if a.credit_code == code), None)


def agency_answer(agency, *, today: datetime.date | None = None) -> dict:
    """An agency as the public credit lookup shows it: filing, standing, its public records."""
    shown = public_agency(agency, today=today)
    return {
        "name": shown.name,
        "credit_code": shown.credit_code,
        "district": shown.district,
        "filing_status": agency.filing_status,
        "filing_label": shown.filing_label,
        "is_demonstration_station": shown.is_demonstration_station,
        "demonstration_year": shown.demonstration_year,
        "filed_workers": shown.filed_workers,
        "credit": {
            "level": shown.standing_level,
            "label": shown.standing_label,
            "records": [
                {
                    "kind": r.kind,
                    "kind_label": r.kind_label,
                    "occurred_on": r.occurred_on,
                    "source": r.source,
                    "description": r.description,
                    "expires_on": r.expires_on,
                }
                for r in shown.records
            ],
        },
    }


# --- writes (issue #24): what a write names, and its answer ----------------------------------


def agency_worker(agency_id: int, worker_id: int):
    """The worker `worker_id` filed with agency `agency_id`, or None (another agency's too)."""
    return Worker.objects.select_related("agency").filter(pk=worker_id, agency_id=agency_id).first()


def agency_branch_by_name(agency_id: int, name: str):
    """The agency's branch (门店) called `name`, or None."""
    return Branch.objects.filter(agency_id=agency_id, name=name).first()


def credit_record_by_id(record_id: int):
    """The credit record `record_id`, or None."""
    return CreditRecord.objects.filter(pk=record_id).first()


def worker_reference(worker, *, unmasked: bool, today: datetime.date | None = None) -> dict:
    """What a write answers about the worker it wrote: its id, who (masked as lookups are
    unless ``pii:read``), its filing and its door colour now."""
    filing = worker_filing(worker)
    return {
        "id": worker.pk,
        **person_fields(worker, unmasked=unmasked),
        "filing_status": filing.status if filing else "",
        "filing_label": str(filing.get_status_display()) if filing else "",
        "health_check_expiry": worker.health_check_expiry,
        "door": _door(door_status(worker, today=today)),
    }
