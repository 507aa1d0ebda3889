"""Rows for the household-trust tests: certificates as plain rows, insurance, visits."""

import datetime
import secrets

from django.utils import timezone

from certificates.models import Certificate, CertificateType
from registry.models import ServiceVisit
from registry.services.insurance import insurance_add
from registry.services.visits import rating_submit, visit_confirm


def cert_type() -> CertificateType:
    return CertificateType.objects.get_or_create(
        code="TRUST", defaults={"name": "上门服务证", "issuing_authority": "上海市商务委员会"}
    )[0]


def certificate(worker, *, expires_in: int = 400, revoked: bool = False, **kwargs) -> Certificate:
    """A certificate row (no exam, no PDF) expiring `expires_in` days from today."""
    today = timezone.localdate()
    expires_on = today + datetime.timedelta(days=expires_in)
    issued_on = kwargs.pop("issued_on", min(today, expires_on) - datetime.timedelta(days=300))
    return Certificate.objects.create(
        type=cert_type(),
        number=f"SH-TRUST-{secrets.token_hex(4).upper()}",
        token=secrets.token_urlsafe(24),
        worker=worker,
        agency=worker.agency,
        issued_on=issued_on,
        expires_on=expires_on,
        revoked_at=timezone.now() if revoked else None,
        revoked_reason="违规上门" if revoked else "",
        **kwargs,
    )


def insurance(worker, *, starts_in: int = -100, ends_in: int = 265, number: str = ""):
    today = timezone.localdate()
    return insurance_add(
        worker=worker,
        insurer="中国平安财产保险上海分公司",
        policy_number=number or f"PA{secrets.randbelow(10**12):012d}",
        start_date=today + datetime.timedelta(days=starts_in),
        end_date=today + datetime.timedelta(days=ends_in),
    )


def visit(worker, *, contact: str = "", via: str = ServiceVisit.ScannedVia.PRINTED, **kwargs):
    """A confirmed visit and its raw one-time rating token."""
    return visit_confirm(
        worker=worker,
        service_date=kwargs.pop("service_date", timezone.localdate()),
        district=kwargs.pop("district", "xuhui"),
        contact=contact,
        scanned_via=via,
        **kwargs,
    )


def rating(worker, stars: int, comment: str = ""):
    """A household's rating of a new confirmed visit of `worker` (pending moderation)."""
    _visit, token = visit(worker)
    return rating_submit(token=token, stars=stars, comment=comment)
