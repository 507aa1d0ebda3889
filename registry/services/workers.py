"""Filing and correcting a worker: the single filing, details, photo."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.crypto import encrypt, lookup_hash
from lms.validators import id_birth_date, id_sex, normalize_mobile, validate_resident_id
from registry.models import Agency, Branch, Filing, FilingStatus, ServiceCategory, Worker
from registry.services.changes import filing_status_changed
from registry.services.common import (
    check_health_dates,
    door_may_change,
    public_changed,
    record_transition,
    signed_in_user,
    store_photo,
)
from registry.services.signin import worker_change_phone
from registry.services.transfers import (
    TransferNeedsConsent,
    file_known_worker,
    transfer_request_record,
)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写姓名。")}, code="name_required")
    if len(name) > 50:
        raise ValidationError({"name": _("姓名不能超过 50 个字。")}, code="name_long")
    return name


def _clean_phone(phone: str) -> str:
    try:
        return normalize_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}, code="invalid_mobile") from exc


def worker_create(
    *,
    name: str,
    id_number: str,
    phone: str = "",
    agency: Agency | None = None,
    branch: Branch | None = None,
    service_categories: Iterable[ServiceCategory] = (),
    health_check_date: datetime.date | None = None,
    health_check_expiry: datetime.date | None = None,
    photo: bytes | None = None,
    login=None,
    acting_user=None,
    submit: bool = True,
) -> Worker:
    """File a worker: validate the ID number, derive birth date and sex, store it encrypted.

    Creates the worker's filing in "submitted" (unless `submit` is False) with
    its first history step. A person already in the registry keeps their one
    ``Worker`` row and card number (一人一卡一号): when their filing elsewhere
    has ended, or they have no open employment elsewhere, the agency's filing
    goes ahead as a transfer (转入, docs/decisions.md); when they still
    work for another agency the filing is refused with ``TransferNeedsConsent``
    and a pending transfer request is kept for the worker to confirm. No
    refusal names another agency or its filing. `login` links a worker's user
    account.
    """
    try:
        return _worker_create(
            name=name,
            id_number=id_number,
            phone=phone,
            agency=agency,
            branch=branch,
            service_categories=service_categories,
            health_check_date=health_check_date,
            health_check_expiry=health_check_expiry,
            photo=photo,
            login=login,
            acting_user=acting_user,
            submit=submit,
        )
    except TransferNeedsConsent as refusal:
        # Outside the refused filing's rolled-back transaction, so the request is kept.
        transfer_request_record(refusal=refusal)
        raise


@transaction.atomic
def _worker_create(
    *,
    name: str,
    id_number: str,
    phone: str,
    agency: Agency | None,
    branch: Branch | None,
    service_categories: Iterable[ServiceCategory],
    health_check_date: datetime.date | None,
    health_check_expiry: datetime.date | None,
    photo: bytes | None,
    login,
    acting_user,
    submit: bool,
) -> Worker:
    name = _clean_name(name)
    try:
        number = validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    phone = _clean_phone(phone)
    check_health_dates(health_check_date, health_check_expiry)
    if branch is not None and (agency is None or branch.agency_id != agency.pk):
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")

    details = {
        "phone": phone,
        "service_categories": service_categories,
        "health_check_date": health_check_date,
        "health_check_expiry": health_check_expiry,
        "photo": photo,
    }
    # A person already on file is filed again, whether found now or after losing a race.
    refile = functools.partial(
        file_known_worker,
        name=name,
        agency=agency,
        branch=branch,
        submit=submit,
        acting_user=acting_user,
        details=details,
    )
    digest = lookup_hash(number)
    existing = Worker.objects.filter(id_number_hash=digest).first()
    if existing is not None:
        return refile(existing)

    worker = Worker(
        name=name,
        id_number_encrypted=encrypt(number),
        id_number_hash=digest,
        id_last4=number[-4:],
        birth_date=id_birth_date(number),
        sex=id_sex(number),
        phone=phone,
        agency=agency,
        branch=branch,
        user=login,
        health_check_date=health_check_date,
        health_check_expiry=health_check_expiry,
    )
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError:
        # Another request filed the same person between the check and the insert.
        existing = Worker.objects.filter(id_number_hash=digest).first()
        if existing is None:
            raise
        return refile(existing)
    if service_categories:
        worker.service_categories.set(service_categories)
    if photo:
        store_photo(worker, photo)
    audit(
        worker,
        "registry.worker_create",
        user=acting_user,
        data={"agency": agency.pk if agency else None, "id_last4": worker.id_last4},
    )
    if submit:
        filing = Filing.objects.create(
            worker=worker,
            filing_agency=agency,
            status=FilingStatus.SUBMITTED,
            submitted_by=signed_in_user(acting_user),
        )
        record_transition(filing, "", FilingStatus.SUBMITTED, acting_user, "")
        filing_status_changed(filing, "", FilingStatus.SUBMITTED)
        audit(
            filing, "registry.filing_submit", user=acting_user, data={"to": FilingStatus.SUBMITTED}
        )
    door_may_change([worker.pk])
    return worker


@transaction.atomic
def worker_update(
    *,
    worker: Worker,
    acting_user=None,
    name: str | None = None,
    phone: str | None = None,
    branch: Branch | None | bool = False,
    service_categories: Iterable[ServiceCategory] | None = None,
    health_check_date: datetime.date | None | bool = False,
    health_check_expiry: datetime.date | None | bool = False,
) -> Worker:
    """Correct a worker's details (not the ID number: a wrong ID is a new filing).

    Arguments left out are left unchanged (``False`` marks "not given" where
    ``None`` is a meaningful value).
    """
    changed: list[str] = []
    if name is not None:
        worker.name = _clean_name(name)
        changed.append("name")
    if phone is not None and _clean_phone(phone) != worker.phone:
        if _clean_phone(phone):
            # The login follows the filing's number: the old one stops signing in.
            worker_change_phone(worker=worker, phone=phone, acting_user=acting_user)
        else:
            worker.phone = ""
            changed.append("phone")
    if branch is not False:
        if branch is not None and branch.agency_id != worker.agency_id:
            raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
        worker.branch = branch
        changed.append("branch")
    if health_check_date is not False:
        worker.health_check_date = health_check_date
        changed.append("health_check_date")
    if health_check_expiry is not False:
        worker.health_check_expiry = health_check_expiry
        changed.append("health_check_expiry")
    check_health_dates(worker.health_check_date, worker.health_check_expiry)
    if changed:
        worker.save(update_fields=changed)
    if service_categories is not None:
        worker.service_categories.set(service_categories)
        changed.append("service_categories")
    if changed:
        audit(worker, "registry.worker_update", user=acting_user, data={"fields": changed})
        public_changed(worker.pk)
    return worker


@transaction.atomic
def worker_set_photo(*, worker: Worker, data: bytes, acting_user=None) -> Worker:
    """Replace a worker's photo: resized, re-encoded, EXIF stripped, with a thumbnail."""
    store_photo(worker, data)
    audit(worker, "registry.worker_photo", user=acting_user, data={})
    return worker
