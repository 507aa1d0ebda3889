"""A worker's liability insurance (household trust: what the door status reads)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.crypto import encrypt, lookup_hash
from registry.models import Insurance, Worker
from registry.services.common import public_changed, signed_in_user


def _normalize_policy_number(value: str) -> str:
    return "".join((value or "").split()).upper()


@transaction.atomic
def insurance_add(
    *,
    worker: Worker,
    insurer: str,
    policy_number: str,
    start_date: datetime.date,
    end_date: datetime.date,
    acting_user=None,
) -> Insurance:
    """Record a worker's liability insurance; the policy number is stored encrypted.

    Entering the same policy for the same worker twice is refused.
    """
    insurer = " ".join((insurer or "").split())
    number = _normalize_policy_number(policy_number)
    errors = {}
    if not insurer:
        errors["insurer"] = _("请填写保险公司。")
    if not number or len(number) < 6 or len(number) > 40:
        errors["policy_number"] = _("请填写正确的保单号（6 至 40 位）。")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("到期日期不能早于生效日期。")
    if errors:
        raise ValidationError(errors, code="invalid")
    digest = lookup_hash(f"policy:{number}")
    if Insurance.objects.filter(worker=worker, policy_number_hash=digest).exists():
        raise ValidationError(
            {"policy_number": _("这份保单已经录入过了。")}, code="duplicate_policy"
        )
    insurance = Insurance.objects.create(
        worker=worker,
        insurer=insurer[:80],
        policy_number_encrypted=encrypt(number),
        policy_number_hash=digest,
        start_date=start_date,
        end_date=end_date,
        entered_by=signed_in_user(acting_user),
    )
    audit(
        insurance,
        "registry.insurance_add",
        user=acting_user,
        data={
            "worker": worker.pk,
            "insurer": insurance.insurer,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    public_changed(worker.pk)
    return insurance
