"""Writes of the registry. Every compliance change is one atomic, audited call.

Each function is keyword-only, validates its input, saves with
``update_fields`` where it changes a row, writes an audit entry naming the
acting user, and sends side effects (tasks of higher apps) only after commit.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import edge
from lms.accounts.roles import Role
from lms.audit import audit
from lms.crypto import encrypt, lookup_hash
from lms.masking import mask_phone
from lms.tasks import send_task_by_name
from lms.validators import (
    id_birth_date,
    id_sex,
    normalize_mobile,
    validate_credit_code,
    validate_resident_id,
)

from .models import (
    Agency,
    AgencyStaff,
    Branch,
    CardBatch,
    CardSequence,
    CreditRecord,
    District,
    Employment,
    Filing,
    FilingStatus,
    FilingTransition,
    Insurance,
    IssuedCard,
    RegulatorProfile,
    RosterImport,
    ServiceCategory,
    ServiceVisit,
    TransferRequest,
    VisitRating,
    Worker,
)
from .photos import process_photo

#: Blacklisting a worker asks the certificates app to revoke their certificates.
REVOKE_FOR_BLACKLIST_TASK = "certificates.tasks.certificates_revoke_for_blacklisted_worker"
CARD_PREFIX = "SHJZ"

S = FilingStatus
#: The filing state machine: from → allowed targets.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.RETURNED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
#: Transitions that must say why.
REASON_REQUIRED = frozenset({S.REJECTED, S.RETURNED, S.WITHDRAWN})


class IllegalTransition(ValidationError):
    """A filing move the state machine does not allow."""


# --- helpers ------------------------------------------------------------------


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


def _check_health_dates(check: datetime.date | None, expiry: datetime.date | None) -> None:
    if check and expiry and expiry < check:
        raise ValidationError(
            {"health_check_expiry": _("体检有效期不能早于体检日期。")}, code="health_dates"
        )
    if check and check > timezone.localdate():
        raise ValidationError(
            {"health_check_date": _("体检日期不能晚于今天。")}, code="health_future"
        )


class TransferNeedsConsent(ValidationError):
    """A filing refused because the person still works for another agency.

    The message names nothing about the other agency. The refused attempt is
    kept as a pending ``TransferRequest`` the worker can confirm on /me/record/.
    """

    def __init__(self, *, worker_id: int, agency_id: int, branch_id: int | None, user_id):
        super().__init__({"id_number": transfer_refusal_message()}, code="employed_elsewhere")
        self.worker_id, self.agency_id = worker_id, agency_id
        self.branch_id, self.user_id = branch_id, user_id


def transfer_refusal_message() -> str:
    """What an agency reads when the person it files is still employed elsewhere."""
    return _("该服务员目前在其他机构从业，需原机构办理离职或本人确认后才能转入。")


def _duplicate_message() -> str:
    # The same words whoever holds the filing: a refusal never names another agency.
    return _("该身份证号已有备案，请勿重复备案。")


def _public_changed(worker_id: int | None) -> None:
    """After commit, the edge cache forgets every public page that shows this worker
    (the apps above register which: lms/edge.py)."""
    if worker_id:
        edge.purge_worker_after_commit(worker_id)


def _record_transition(filing: Filing, from_status: str, to_status: str, user, reason: str):
    FilingTransition.objects.create(
        filing=filing,
        from_status=from_status,
        to_status=to_status,
        actor=user if getattr(user, "is_authenticated", False) else None,
        reason=reason,
    )


# --- workers ------------------------------------------------------------------


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
    _check_health_dates(health_check_date, health_check_expiry)
    if branch is not None and (agency is None or branch.agency_id != agency.pk):
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")

    details = {
        "phone": phone,
        "service_categories": service_categories,
        "health_check_date": health_check_date,
        "health_check_expiry": health_check_expiry,
        "photo": photo,
    }
    digest = lookup_hash(number)
    existing = Worker.objects.filter(id_number_hash=digest).first()
    if existing is not None:
        return _file_known_worker(
            existing,
            name=name,
            agency=agency,
            branch=branch,
            submit=submit,
            acting_user=acting_user,
            details=details,
        )

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
        return _file_known_worker(
            existing,
            name=name,
            agency=agency,
            branch=branch,
            submit=submit,
            acting_user=acting_user,
            details=details,
        )
    if service_categories:
        worker.service_categories.set(service_categories)
    if photo:
        _store_photo(worker, photo)
    audit(
        worker,
        "registry.worker_create",
        user=acting_user,
        data={"agency": agency.pk if agency else None, "id_last4": worker.id_last4},
    )
    if submit:
        filing = Filing.objects.create(
            worker=worker, filing_agency=agency, status=S.SUBMITTED, submitted_by=_user(acting_user)
        )
        _record_transition(filing, "", S.SUBMITTED, acting_user, "")
        audit(filing, "registry.filing_submit", user=acting_user, data={"to": S.SUBMITTED})
    return worker


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


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
    _check_health_dates(worker.health_check_date, worker.health_check_expiry)
    if changed:
        worker.save(update_fields=changed)
    if service_categories is not None:
        worker.service_categories.set(service_categories)
        changed.append("service_categories")
    if changed:
        audit(worker, "registry.worker_update", user=acting_user, data={"fields": changed})
        _public_changed(worker.pk)
    return worker


def _store_photo(worker: Worker, data: bytes) -> None:
    processed = process_photo(data)
    # Never the worker's name or ID in a public file name; URL-safe base64 is
    # mostly letters, so a name never looks like a phone or ID number.
    token = secrets.token_urlsafe(16)
    old = [f for f in (worker.photo, worker.photo_thumbnail) if f]
    worker.photo.save(f"{token}.jpg", ContentFile(processed.photo), save=False)
    worker.photo_thumbnail.save(f"{token}.jpg", ContentFile(processed.thumbnail), save=False)
    worker.save(update_fields=["photo", "photo_thumbnail"])
    _public_changed(worker.pk)
    names = [f.name for f in old]
    storage = worker.photo.storage

    def _delete_old():
        for name in names:
            storage.delete(name)

    transaction.on_commit(_delete_old)


@transaction.atomic
def worker_set_photo(*, worker: Worker, data: bytes, acting_user=None) -> Worker:
    """Replace a worker's photo: resized, re-encoded, EXIF stripped, with a thumbnail."""
    _store_photo(worker, data)
    audit(worker, "registry.worker_photo", user=acting_user, data={})
    return worker


@transaction.atomic
def worker_link_login(*, worker: Worker, login, acting_user=None) -> Worker:
    """Link a worker's phone login to the filed worker (one login per worker)."""
    worker.user = login
    worker.save(update_fields=["user"])
    group = Group.objects.filter(name=Role.WORKER).first()
    if group is not None:
        login.groups.add(group)
    audit(worker, "registry.worker_link_login", user=acting_user, data={"user": login.pk})
    return worker


# --- filings ------------------------------------------------------------------


def _transition(filing: Filing, to_status: str, *, acting_user, reason: str = "") -> Filing:
    reason = (reason or "").strip()
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    from_status = locked.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            _("备案状态为“%(from)s”时不能改为“%(to)s”。")
            % {"from": S(from_status).label, "to": S(to_status).label},
            code="illegal_transition",
        )
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("请填写原因。")}, code="reason_required")
    locked.status = to_status
    fields = ["status", "updated_at"]
    if to_status in (S.APPROVED, S.REJECTED, S.RETURNED, S.UNDER_REVIEW):
        locked.reviewed_by = _user(acting_user)
        locked.reviewed_at = timezone.now()
        fields += ["reviewed_by", "reviewed_at"]
    if to_status in REASON_REQUIRED or to_status == S.APPROVED:
        locked.reason = reason
        fields.append("reason")
    if to_status == S.SUBMITTED:
        locked.submitted_by = _user(acting_user) or locked.submitted_by
        fields.append("submitted_by")
    locked.save(update_fields=fields)
    _record_transition(locked, from_status, to_status, acting_user, reason)
    _public_changed(locked.worker_id)
    if locked.agency_id:
        Agency.objects.filter(pk=locked.agency_id).update(filing_status=to_status)
    action = {
        S.UNDER_REVIEW: "registry.filing_start_review",
        S.APPROVED: "registry.filing_approve",
        S.REJECTED: "registry.filing_reject",
        S.RETURNED: "registry.filing_return",
        S.SUBMITTED: "registry.filing_submit",
        S.WITHDRAWN: "registry.filing_withdraw",
    }[to_status]
    audit(
        locked,
        action,
        user=acting_user,
        data={"from": from_status, "to": to_status, "reason": reason},
    )
    # Keep the caller's object current.
    filing.status, filing.reason = locked.status, locked.reason
    filing.reviewed_by_id, filing.reviewed_at = locked.reviewed_by_id, locked.reviewed_at
    return filing


def filing_allowed_targets(filing: Filing) -> frozenset[str]:
    return TRANSITIONS.get(filing.status, frozenset())


@transaction.atomic
def filing_start_review(*, filing: Filing, acting_user) -> Filing:
    """A reviewer takes a submitted filing into review."""
    return _transition(filing, S.UNDER_REVIEW, acting_user=acting_user)


@transaction.atomic
def filing_approve(*, filing: Filing, acting_user, reason: str = "") -> Filing:
    """Approve (登记) a filing; the worker can then receive a card."""
    return _transition(filing, S.APPROVED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_reject(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Reject a filing, with the reason the agency and worker will read."""
    return _transition(filing, S.REJECTED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_return(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Return a filing for correction, saying what to correct."""
    return _transition(filing, S.RETURNED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_resubmit(*, filing: Filing, acting_user) -> Filing:
    """Submit a returned filing again after correction."""
    return _transition(filing, S.SUBMITTED, acting_user=acting_user)


@transaction.atomic
def filing_withdraw(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Withdraw (注销) a filing. A card already issued keeps its number, never reused."""
    return _transition(filing, S.WITHDRAWN, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_submit_worker(*, worker: Worker, acting_user=None) -> Filing:
    """Open the filing of a worker created with ``submit=False``."""
    if Filing.objects.filter(worker=worker, is_current=True).exists():
        raise ValidationError(_duplicate_message(), code="duplicate")
    filing = Filing.objects.create(
        worker=worker,
        filing_agency_id=worker.agency_id,
        status=S.SUBMITTED,
        submitted_by=_user(acting_user),
    )
    _record_transition(filing, "", S.SUBMITTED, acting_user, "")
    audit(filing, "registry.filing_submit", user=acting_user, data={"to": S.SUBMITTED})
    return filing


# --- cards --------------------------------------------------------------------


def _next_card_number() -> str:
    """The next card number; the sequence row stays locked until the transaction ends."""
    try:
        sequence = CardSequence.objects.select_for_update().get(prefix=CARD_PREFIX)
    except CardSequence.DoesNotExist:
        try:
            with transaction.atomic():
                CardSequence.objects.create(prefix=CARD_PREFIX)
        except IntegrityError:
            pass  # created by a concurrent transaction
        sequence = CardSequence.objects.select_for_update().get(prefix=CARD_PREFIX)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{CARD_PREFIX}{sequence.last_value:08d}"


def _issue_one(worker: Worker, *, acting_user, batch: CardBatch | None) -> IssuedCard:
    locked = Worker.objects.select_for_update().get(pk=worker.pk)
    if locked.card_number:
        raise ValidationError(
            _("该服务员已有家政卡（卡号 %(card)s），一人一卡，不能重复发卡。")
            % {"card": locked.card_number},
            code="card_exists",
        )
    status = (
        Filing.objects.filter(worker=locked, is_current=True)
        .values_list("status", flat=True)
        .first()
    )
    if status != S.APPROVED:
        raise ValidationError(_("备案通过（已登记）后才能发卡。"), code="not_approved")
    number = _next_card_number()
    card = IssuedCard.objects.create(
        number=number, worker=locked, batch=batch, issued_by=_user(acting_user)
    )
    locked.card_number = number
    locked.card_issued_at = card.issued_at
    locked.save(update_fields=["card_number", "card_issued_at"])
    _public_changed(locked.pk)
    worker.card_number, worker.card_issued_at = locked.card_number, locked.card_issued_at
    audit(
        locked,
        "registry.card_issue",
        user=acting_user,
        data={"card_number": number, "batch": batch.pk if batch else None},
    )
    return card


@transaction.atomic
def card_issue(*, worker: Worker, acting_user) -> IssuedCard:
    """Issue the worker's card (一人一卡一号): once, only when approved, never a reused number."""
    return _issue_one(worker, acting_user=acting_user, batch=None)


@transaction.atomic
def card_issue_batch(
    *,
    agency: Agency,
    acting_user,
    workers: Iterable[Worker] | None = None,
    collected_by: str = "",
    note: str = "",
) -> CardBatch:
    """Issue cards to an agency's approved workers in one batch (集体领卡).

    With `workers`, only those (each must belong to the agency, be approved
    and have no card yet); without, every approved worker of the agency
    still waiting for a card. All or nothing.
    """
    from .selectors import workers_ready_for_cards

    if workers is None:
        targets = list(workers_ready_for_cards(agency=agency))
    else:
        targets = list(workers)
        foreign = [w for w in targets if w.agency_id != agency.pk]
        if foreign:
            raise ValidationError(
                _("所选服务员中有 %(n)d 人不属于该企业。") % {"n": len(foreign)},
                code="batch_foreign",
            )
    if not targets:
        raise ValidationError(_("该企业没有待发卡的已登记服务员。"), code="batch_empty")
    batch = CardBatch.objects.create(
        agency=agency,
        collected_by=(collected_by or "").strip()[:50],
        note=(note or "").strip()[:255],
        issued_by=_user(acting_user),
    )
    for worker in sorted(targets, key=lambda w: w.pk):
        _issue_one(worker, acting_user=acting_user, batch=batch)
    batch.card_count = len(targets)
    batch.save(update_fields=["card_count"])
    audit(
        batch,
        "registry.card_issue_batch",
        user=acting_user,
        data={"agency": agency.pk, "count": batch.card_count, "collected_by": batch.collected_by},
    )
    return batch


# --- employment -------------------------------------------------------------


@transaction.atomic
def employment_start(
    *,
    worker: Worker,
    agency: Agency,
    start_date: datetime.date,
    branch: Branch | None = None,
    service_category: ServiceCategory | None = None,
    acting_user=None,
    move_worker: bool = True,
) -> Employment:
    """Record that `agency` employs the worker from `start_date` (从业经历).

    A worker has at most one open employment: end the current one first.
    With `move_worker` the worker's filing agency follows (the new agency's
    staff then see the worker).
    """
    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": _("开始日期不能晚于今天。")}, code="future_start")
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    current = (
        Employment.objects.filter(worker=worker, end_date__isnull=True)
        .select_related("agency")
        .first()
    )
    if current is not None and current.agency_id != agency.pk:
        # Never name the other agency to this one (docs/decisions.md: transfers).
        raise ValidationError(transfer_refusal_message(), code="employment_open")
    if current is not None:
        raise ValidationError(
            _("该服务员已在本机构从业（自 %(start)s 起），请先结束当前从业经历。")
            % {"start": current.start_date.isoformat()},
            code="employment_open",
        )
    last = Employment.objects.filter(worker=worker).order_by("-end_date").first()
    if last is not None and last.end_date and start_date < last.end_date:
        raise ValidationError(
            {"start_date": _("开始日期不能早于上一段从业经历的结束日期。")}, code="overlap"
        )
    employment = Employment.objects.create(
        worker=worker,
        agency=agency,
        branch=branch,
        service_category=service_category,
        start_date=start_date,
    )
    if move_worker and (
        worker.agency_id != agency.pk or worker.branch_id != (branch.pk if branch else None)
    ):
        worker.agency, worker.branch = agency, branch
        worker.save(update_fields=["agency", "branch"])
    _public_changed(worker.pk)
    audit(
        worker,
        "registry.employment_start",
        user=acting_user,
        data={"employment": employment.pk, "agency": agency.pk, "start": start_date},
    )
    return employment


@transaction.atomic
def employment_end(
    *, employment: Employment, end_date: datetime.date, acting_user=None
) -> Employment:
    """Close an open employment on `end_date`."""
    locked = Employment.objects.select_for_update().get(pk=employment.pk)
    if locked.end_date is not None:
        raise ValidationError(_("这段从业经历已经结束。"), code="employment_closed")
    if end_date < locked.start_date:
        raise ValidationError(
            {"end_date": _("结束日期不能早于开始日期。")}, code="end_before_start"
        )
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": _("结束日期不能晚于今天。")}, code="future_end")
    locked.end_date = end_date
    locked.save(update_fields=["end_date"])
    employment.end_date = end_date
    _public_changed(locked.worker_id)
    audit(
        locked.worker,
        "registry.employment_end",
        user=acting_user,
        data={"employment": locked.pk, "end": end_date},
    )
    return employment


# --- transfers (a worker moves to another agency) ------------------------------

#: Filing states that have ended: the person is free to be filed elsewhere.
ENDED_FILING_STATES = frozenset({S.REJECTED, S.WITHDRAWN})


def _file_known_worker(
    existing: Worker,
    *,
    name: str,
    agency: Agency | None,
    branch: Branch | None,
    submit: bool,
    acting_user,
    details: dict,
) -> Worker:
    """An agency files an ID number the registry already knows: a transfer, or a refusal.

    The one rule for every way of filing (single filing, roster row): the
    filing goes ahead as a transfer when the person's current filing has
    ended or they have no open employment with another agency; otherwise
    ``TransferNeedsConsent``. Refusals name no other agency.
    """
    worker = Worker.objects.select_for_update().get(pk=existing.pk)
    if agency is None or not submit:
        raise ValidationError({"id_number": _duplicate_message()}, code="duplicate")
    if name != worker.name:
        # A mistyped ID number must not take over another person's record and card.
        raise ValidationError(
            {"id_number": _("该身份证号已有备案，但姓名与备案信息不一致，请核对姓名和身份证号。")},
            code="name_mismatch",
        )
    filing = Filing.objects.filter(worker=worker, is_current=True).first()
    ended = filing is None or filing.status in ENDED_FILING_STATES
    if worker.agency_id == agency.pk and not ended:
        raise ValidationError(
            {"id_number": _("该服务员在本机构已有备案，请勿重复备案。")}, code="duplicate"
        )
    if not ended and _held_elsewhere(worker, filing=filing, agency=agency):
        raise TransferNeedsConsent(
            worker_id=worker.pk,
            agency_id=agency.pk,
            branch_id=branch.pk if branch else None,
            user_id=_user(acting_user).pk if _user(acting_user) else None,
        )
    _transfer_in(
        worker,
        agency=agency,
        branch=branch,
        acting_user=acting_user,
        submitted_by=_user(acting_user),
        details=details,
        reason=_("前一备案已结束，转入本机构。"),
    )
    return worker


def _held_elsewhere(worker: Worker, *, filing: Filing, agency: Agency) -> bool:
    """Whether another agency still employs the worker (their live filing is `filing`).

    An open employment with another agency holds the worker. So does a live
    filing with another agency that never recorded an employment (从业经历) of
    the worker: the filing itself then stands for the employment. An agency
    that recorded the employment and ended it (离职) holds the worker no more.
    """
    open_job = Employment.objects.filter(worker=worker, end_date__isnull=True).first()
    if open_job is not None:
        return open_job.agency_id != agency.pk
    holder = filing.filing_agency_id or worker.agency_id
    if holder is None or holder == agency.pk:
        return False
    return not Employment.objects.filter(worker=worker, agency_id=holder).exists()


def _close_filing_for_transfer(filing: Filing, *, reason: str) -> None:
    """Make the worker's current filing history; a live one is withdrawn (已注销).

    The state machine is bypassed on purpose: a filing under review can end
    this way too, because the person has left. The step is recorded with no
    actor, so the former agency's history never shows who took the worker.
    """
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    fields = ["is_current", "updated_at"]
    locked.is_current = False
    if locked.status not in ENDED_FILING_STATES:
        from_status = locked.status
        locked.status, locked.reason = S.WITHDRAWN, reason
        fields += ["status", "reason"]
        _record_transition(locked, from_status, S.WITHDRAWN, None, reason)
        audit(
            locked,
            "registry.filing_withdraw",
            data={"from": from_status, "to": S.WITHDRAWN, "reason": reason},
        )
    locked.save(update_fields=fields)


def _transfer_in(
    worker: Worker,
    *,
    agency: Agency,
    branch: Branch | None,
    acting_user,
    submitted_by,
    details: dict,
    reason: str,
) -> Filing:
    """File a known (locked) worker with `agency`: same row, same card, a new current filing.

    The former filing becomes history, an open employment elsewhere ends
    today (its agency is told), and an employment with `agency` starts today.
    """
    today = timezone.localdate()
    previous = Filing.objects.filter(worker=worker, is_current=True).first()
    previous_agency_id = previous.filing_agency_id if previous else worker.agency_id
    told: set[int] = set()
    if previous is not None:
        if previous.status not in ENDED_FILING_STATES and previous_agency_id not in (
            None,
            agency.pk,
        ):
            told.add(previous_agency_id)
        _close_filing_for_transfer(previous, reason=_("服务员已转至其他机构。"))
    employment = Employment.objects.filter(worker=worker, end_date__isnull=True).first()
    if employment is not None and employment.agency_id != agency.pk:
        employment_end(employment=employment, end_date=today, acting_user=acting_user)
        told.add(employment.agency_id)
        employment = None
    for former in sorted(told):
        _notify_former_agency(agency_id=former, worker=worker, end_date=today)
    if branch is not None and branch.agency_id != agency.pk:
        branch = None
    worker.agency, worker.branch = agency, branch
    fields = ["agency", "branch"]
    for field in ("phone", "health_check_date", "health_check_expiry"):
        if details.get(field):
            setattr(worker, field, details[field])
            fields.append(field)
    _check_health_dates(worker.health_check_date, worker.health_check_expiry)
    worker.save(update_fields=fields)
    if details.get("service_categories"):
        worker.service_categories.set(details["service_categories"])
    if details.get("photo"):
        _store_photo(worker, details["photo"])
    kind = Filing.Kind.NEW if previous_agency_id == agency.pk else Filing.Kind.TRANSFER
    filing = Filing.objects.create(
        worker=worker,
        filing_agency=agency,
        kind=kind,
        status=S.SUBMITTED,
        submitted_by=submitted_by,
    )
    _record_transition(filing, "", S.SUBMITTED, acting_user, reason)
    audit(
        filing,
        "registry.filing_transfer_in" if kind == Filing.Kind.TRANSFER else "registry.filing_submit",
        user=acting_user,
        data={
            "to": S.SUBMITTED,
            "agency": agency.pk,
            "previous": previous.pk if previous else None,
        },
    )
    if employment is None:
        employment_start(
            worker=worker, agency=agency, branch=branch, start_date=today, acting_user=acting_user
        )
    TransferRequest.objects.filter(
        worker=worker, agency=agency, status=TransferRequest.Status.PENDING
    ).update(status=TransferRequest.Status.DONE, answered_at=timezone.now())
    _public_changed(worker.pk)
    return filing


def _notify_former_agency(*, agency_id: int, worker: Worker, end_date: datetime.date) -> None:
    """After commit, e-mail the agency that just lost `worker` (names no one else)."""
    from lms.notifications import send_email

    email = Agency.objects.filter(pk=agency_id).values_list("contact_email", flat=True).first()
    if not email:
        return
    subject = _("家政服务员从业经历已结束")
    message = _(
        "贵机构的家政服务员 %(name)s（身份证后四位 %(last4)s）已于 %(date)s 转至其他机构："
        "其在贵机构的从业经历已结束，贵机构的备案已转为历史记录。"
    ) % {"name": worker.masked_name, "last4": worker.id_last4, "date": end_date.isoformat()}
    # Robust: a mail server down must not turn the committed move into an error page.
    transaction.on_commit(lambda: send_email([email], subject, message), robust=True)


@transaction.atomic
def transfer_request_record(*, refusal: TransferNeedsConsent) -> TransferRequest:
    """Keep a refused filing as a pending transfer request the worker can confirm.

    One pending request per worker and agency: asking again refreshes it. The
    worker is told by SMS the first time (the message names no agency).
    """
    from lms.notifications import send_sms

    request, created = TransferRequest.objects.get_or_create(
        worker_id=refusal.worker_id,
        agency_id=refusal.agency_id,
        status=TransferRequest.Status.PENDING,
        defaults={"branch_id": refusal.branch_id, "requested_by_id": refusal.user_id},
    )
    if not created:
        request.branch_id, request.requested_by_id = refusal.branch_id, refusal.user_id
        request.save(update_fields=["branch", "requested_by"])
        return request
    audit(
        request,
        "registry.transfer_request",
        data={"worker": refusal.worker_id, "agency": refusal.agency_id},
    )
    phone = Worker.objects.filter(pk=refusal.worker_id).values_list("phone", flat=True).first()
    if phone:
        message = _("【家政平台】有机构申请将您转入，请登录平台在“我的档案”中确认或拒绝。")
        # The template key lets a provider backend send it (ALIYUN_SMS_TEMPLATES); robust,
        # because a failed SMS must not undo or fail the agency's refused filing.
        transaction.on_commit(
            lambda: send_sms(phone, message, template="transfer_request", params={}), robust=True
        )
    return request


def _answerable_request(transfer_request: TransferRequest, acting_user) -> TransferRequest:
    locked = (
        # Lock the request row only (PostgreSQL refuses FOR UPDATE on an outer join's side).
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("worker", "agency", "branch", "requested_by")
        .get(pk=transfer_request.pk)
    )
    if acting_user is None or locked.worker.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只有服务员本人可以确认转入。"))
    if locked.status != TransferRequest.Status.PENDING:
        raise ValidationError(_("这条转入申请已经处理过了。"), code="answered")
    return locked


@transaction.atomic
def worker_confirm_transfer(*, transfer_request: TransferRequest, acting_user) -> Filing:
    """The worker (signed in as themself) confirms a pending transfer request.

    Ends the open employment elsewhere today and tells its agency; then files
    the worker with the requesting agency at once, as a transfer (转入) waiting
    for review — the agency asked for exactly this, so it need not file again.
    """
    locked = _answerable_request(transfer_request, acting_user)
    worker = Worker.objects.select_for_update().get(pk=locked.worker_id)
    filing = _transfer_in(
        worker,
        agency=locked.agency,
        branch=locked.branch,
        acting_user=acting_user,
        submitted_by=locked.requested_by,
        details={},
        reason=_("本人确认转入。"),
    )
    locked.status, locked.answered_at = TransferRequest.Status.CONFIRMED, timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    audit(
        locked,
        "registry.transfer_confirm",
        user=acting_user,
        data={"worker": worker.pk, "agency": locked.agency_id, "filing": filing.pk},
    )
    transfer_request.status = locked.status
    return filing


@transaction.atomic
def worker_decline_transfer(*, transfer_request: TransferRequest, acting_user) -> TransferRequest:
    """The worker declines a pending transfer request; nothing else changes."""
    locked = _answerable_request(transfer_request, acting_user)
    locked.status, locked.answered_at = TransferRequest.Status.DECLINED, timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    audit(
        locked,
        "registry.transfer_decline",
        user=acting_user,
        data={"worker": locked.worker_id, "agency": locked.agency_id},
    )
    transfer_request.status = locked.status
    return locked


# --- credit records -----------------------------------------------------------


@transaction.atomic
def credit_record_create(
    *,
    kind: str,
    source: str,
    occurred_on: datetime.date,
    description: str,
    acting_user,
    worker: Worker | None = None,
    agency: Agency | None = None,
    is_public: bool = True,
    expires_on: datetime.date | None = None,
) -> CreditRecord:
    """Add a credit record about a worker or an agency.

    Blacklisting a worker asks the certificates app, after commit, to revoke
    the worker's certificates (by task name; the task is idempotent).
    """
    if (worker is None) == (agency is None):
        raise ValidationError(_("信用记录必须且只能针对一名服务员或一家企业。"), code="subject")
    if kind not in CreditRecord.Kind.values:
        raise ValidationError({"kind": _("请选择记录类型。")}, code="kind")
    source = (source or "").strip()
    description = (description or "").strip()
    if not source:
        raise ValidationError({"source": _("请填写记录来源。")}, code="source")
    if not description:
        raise ValidationError({"description": _("请填写说明。")}, code="description")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("发生日期不能晚于今天。")}, code="future")
    if expires_on is not None and expires_on <= occurred_on:
        raise ValidationError({"expires_on": _("失效日期必须晚于发生日期。")}, code="expiry")
    record = CreditRecord.objects.create(
        worker=worker,
        agency=agency,
        kind=kind,
        source=source[:120],
        occurred_on=occurred_on,
        description=description,
        is_public=is_public,
        expires_on=expires_on,
        created_by=_user(acting_user),
    )
    audit(
        record,
        "registry.credit_record_create",
        user=acting_user,
        data={
            "kind": kind,
            "worker": worker.pk if worker else None,
            "agency": agency.pk if agency else None,
            "public": is_public,
            "expires_on": expires_on,
        },
    )
    _public_changed(worker.pk if worker else None)
    if worker is not None and kind == CreditRecord.Kind.BLACKLIST:
        send_task_by_name(REVOKE_FOR_BLACKLIST_TASK, worker.pk)
    return record


@transaction.atomic
def credit_record_expire(
    *, record: CreditRecord, acting_user, reason: str, on: datetime.date | None = None
) -> CreditRecord:
    """End a record early: it stops counting from `on` (today by default)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")}, code="reason_required")
    on = on or timezone.localdate()
    locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if locked.expires_on is not None and locked.expires_on <= on:
        raise ValidationError(_("这条记录已经失效。"), code="already_expired")
    if on < locked.occurred_on:
        on = locked.occurred_on  # a record cannot expire before it happened
    previous = locked.expires_on
    locked.expires_on = on
    locked.save(update_fields=["expires_on"])
    record.expires_on = on
    _public_changed(locked.worker_id)
    audit(
        locked,
        "registry.credit_record_expire",
        user=acting_user,
        data={"from": previous, "to": on, "reason": reason},
    )
    return record


# --- agencies -----------------------------------------------------------------


@transaction.atomic
def agency_create(
    *,
    name: str,
    credit_code: str,
    district: str,
    acting_user=None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    is_demonstration_station: bool = False,
    demonstration_year: int | None = None,
    submit: bool = True,
) -> Agency:
    """File an agency: validate its credit code (GB 32100) and open its filing."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写企业名称。")}, code="name_required")
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from exc
    if district not in District.values:
        raise ValidationError({"district": _("请选择所在区。")}, code="district")
    if is_demonstration_station and not demonstration_year:
        raise ValidationError(
            {"demonstration_year": _("示范性家政服务站须填写认定年份。")}, code="demo_year"
        )
    existing = Agency.objects.filter(credit_code=code).first()
    if existing is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已备案：%(name)s。") % {"name": existing.name}},
            code="duplicate",
        )
    agency = Agency.objects.create(
        name=name[:120],
        credit_code=code,
        district=district,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        is_demonstration_station=is_demonstration_station,
        demonstration_year=demonstration_year if is_demonstration_station else None,
        filing_status=S.SUBMITTED,
    )
    audit(agency, "registry.agency_create", user=acting_user, data={"credit_code": code})
    if submit:
        filing = Filing.objects.create(
            agency=agency, status=S.SUBMITTED, submitted_by=_user(acting_user)
        )
        _record_transition(filing, "", S.SUBMITTED, acting_user, "")
        audit(filing, "registry.filing_submit", user=acting_user, data={"to": S.SUBMITTED})
    return agency


def agency_filing(agency: Agency) -> Filing:
    return Filing.objects.get(agency=agency)


@transaction.atomic
def branch_create(
    *,
    agency: Agency,
    name: str,
    district: str,
    address: str = "",
    phone: str = "",
    acting_user=None,
) -> Branch:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写门店名称。")}, code="name_required")
    if district not in District.values:
        raise ValidationError({"district": _("请选择所在区。")}, code="district")
    branch = Branch.objects.create(
        agency=agency, name=name[:120], district=district, address=address, phone=phone
    )
    audit(branch, "registry.branch_create", user=acting_user, data={"agency": agency.pk})
    return branch


@transaction.atomic
def agency_staff_assign(
    *, user, agency: Agency, branch: Branch | None = None, acting_user=None
) -> AgencyStaff:
    """Make `user` staff of `agency` (optionally limited to one branch)."""
    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    membership, _created = AgencyStaff.objects.update_or_create(
        user=user, defaults={"agency": agency, "branch": branch}
    )
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=Role.AGENCY_STAFF))
    for attr in ("_registry_agency_staff", "_role_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    audit(
        membership,
        "registry.agency_staff_assign",
        user=acting_user,
        data={"user": user.pk, "agency": agency.pk, "branch": branch.pk if branch else None},
    )
    return membership


@transaction.atomic
def regulator_profile_set(*, user, district: str = "", acting_user=None) -> RegulatorProfile:
    """Set a regulator's scope: a district, or the whole city with an empty district."""
    if district and district not in District.values:
        raise ValidationError({"district": _("请选择辖区。")}, code="district")
    profile, _created = RegulatorProfile.objects.update_or_create(
        user=user, defaults={"district": district}
    )
    role = Role.DISTRICT_REGULATOR if district else Role.CITY_REGULATOR
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit(profile, "registry.regulator_profile_set", user=acting_user, data={"district": district})
    return profile


# --- roster import ----------------------------------------------------------

#: Rosters up to this many rows are filed during the upload request; larger
#: ones in a Celery task while the page shows progress.
ROSTER_SYNC_MAX_ROWS = 200
ROSTER_CHUNK = 50


def _roster_sync_max() -> int:
    from django.conf import settings

    return getattr(settings, "REGISTRY_ROSTER_SYNC_MAX_ROWS", ROSTER_SYNC_MAX_ROWS)


def roster_import_create(
    *, agency: Agency, upload, acting_user, branch: Branch | None = None
) -> RosterImport:
    """Store an uploaded roster and file its valid rows (now, or in a task when large).

    Raises ValidationError when the file as a whole cannot be read.
    """
    from .roster import RosterFileError, read_roster

    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    data = upload.read()
    try:
        rows = read_roster(data, upload.name)
    except RosterFileError as exc:
        raise ValidationError({"file": str(exc)}, code="roster_file") from exc
    with transaction.atomic():
        roster = RosterImport(
            agency=agency,
            branch=branch,
            uploaded_by=_user(acting_user),
            original_name=upload.name[:255],
            total_rows=len(rows),
        )
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        roster.file.save(f"{secrets.token_urlsafe(12)}{suffix}", ContentFile(data), save=False)
        roster.save()
        audit(
            roster,
            "registry.roster_import",
            user=acting_user,
            data={"agency": agency.pk, "rows": len(rows), "file": roster.original_name},
        )
    if len(rows) <= _roster_sync_max():
        roster_import_process(roster_import_id=roster.pk)
        roster.refresh_from_db()
    else:
        from .tasks import roster_import_task

        transaction.on_commit(lambda: roster_import_task.delay(roster.pk))
    return roster


def roster_import_process(*, roster_import_id: int) -> None:
    """File the valid rows of a roster; idempotent and resumable.

    Rows are handled in chunks; each chunk's workers and the progress counter
    commit together, so a crashed run resumes after the last finished chunk.
    Each valid row is filed atomically on its own (a savepoint): a row is
    either fully filed or reported, never half saved.
    """
    from .roster import RosterFileError, read_roster, validate_row

    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().get(pk=roster_import_id)
        if roster.is_finished:
            return
        roster.status = RosterImport.Status.RUNNING
        roster.save(update_fields=["status"])
    acting_user = roster.uploaded_by
    try:
        with roster.file.open("rb") as handle:
            rows = read_roster(handle.read(), roster.original_name)
    except (RosterFileError, OSError) as exc:
        RosterImport.objects.filter(pk=roster.pk).update(
            status=RosterImport.Status.FAILED, failure=str(exc), finished_at=timezone.now()
        )
        return
    branches = {b.name: b for b in Branch.objects.filter(agency=roster.agency)}
    if roster.branch_id:
        # Staff limited to one branch may only file into that branch.
        branches = {name: b for name, b in branches.items() if b.pk == roster.branch_id}
    categories = {}
    for category in ServiceCategory.objects.all():
        categories[category.name] = category
        categories[category.code] = category
    today = timezone.localdate()
    seen: dict[str, int] = {}
    # Rows before the checkpoint were handled by an earlier run: only their
    # hashes are needed (for duplicates within the file).
    start = roster.processed_rows
    for number, cells in rows[:start]:
        validate_row(
            number, cells, branches=branches, categories=categories, seen=seen, today=today
        )
    errors = list(roster.errors)
    created = roster.created_count
    for offset in range(start, len(rows), ROSTER_CHUNK):
        chunk = rows[offset : offset + ROSTER_CHUNK]
        with transaction.atomic():
            for number, cells in chunk:
                result = validate_row(
                    number,
                    cells,
                    branches=branches,
                    categories=categories,
                    default_branch=roster.branch,
                    seen=seen,
                    today=today,
                )
                if result.ok:
                    data = dict(result.data)
                    insurance = data.pop("insurance", None)
                    try:
                        # The worker and their insurance are filed together or not at all.
                        with transaction.atomic():
                            worker = worker_create(
                                agency=roster.agency,
                                acting_user=acting_user,
                                **data,
                            )
                            if insurance:
                                insurance_add(worker=worker, acting_user=acting_user, **insurance)
                        created += 1
                        continue
                    except ValidationError as exc:
                        if isinstance(exc, TransferNeedsConsent):
                            # The row's savepoint dropped the request worker_create kept.
                            transfer_request_record(refusal=exc)
                        for key, messages in exc.message_dict.items():
                            label = {
                                "id_number": "身份证号",
                                "name": "姓名",
                                "phone": "手机号",
                                "insurer": "保险公司",
                                "policy_number": "保单号",
                                "start_date": "保险生效日期",
                                "end_date": "保险到期日期",
                            }.get(key, key)
                            result.errors.extend((label, m) for m in messages)
                errors.extend(
                    {"row": result.row, "column": column, "message": message}
                    for column, message in result.errors
                )
            RosterImport.objects.filter(pk=roster.pk).update(
                processed_rows=offset + len(chunk),
                created_count=created,
                error_count=len({e["row"] for e in errors}),
                errors=errors,
                updated_at=timezone.now(),
            )
    RosterImport.objects.filter(pk=roster.pk).update(
        status=RosterImport.Status.DONE,
        processed_rows=len(rows),
        total_rows=len(rows),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


# --- household trust: insurance, service visits, ratings ----------------------


def _trust_changed(worker_id: int | None) -> None:
    """What the door status shows changed: public caches of this worker go stale."""
    _public_changed(worker_id)


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
        entered_by=_user(acting_user),
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
    _trust_changed(worker.pk)
    return insurance


def rating_link_days() -> int:
    """Days a household's one-time rating link stays usable (REGISTRY_RATING_LINK_DAYS)."""
    from django.conf import settings

    return int(getattr(settings, "REGISTRY_RATING_LINK_DAYS", 30))


#: How far back a household may date a visit when confirming it.
VISIT_BACKDATE_DAYS = 7


def _clean_contact(contact: str) -> str:
    """The household's contact as digits: a mobile number however it is written
    (spaces, dashes, +86), else a landline of 7 to 12 digits."""
    try:
        return normalize_mobile(contact)
    except ValidationError:
        pass
    digits = re.sub(r"[\s\-()（）]", "", contact or "")
    if not (digits.isascii() and digits.isdigit()) or not 7 <= len(digits) <= 12:
        raise ValidationError(
            {"contact": _("联系方式请填写手机号或电话号码，例如 138 1234 5678 或 021-6234 5678。")}
        )
    return digits


@transaction.atomic
def visit_confirm(
    *,
    worker: Worker,
    service_date: datetime.date,
    district: str,
    service_category: ServiceCategory | None = None,
    contact: str = "",
    scanned_via: str = ServiceVisit.ScannedVia.PRINTED,
    warnings_seen: tuple[str, ...] = (),
) -> tuple[ServiceVisit, str]:
    """A household confirms that `worker` entered their home for a service.

    Returns the visit and the raw one-time rating token (only its keyed hash is
    stored: the caller shows the link once, to the household). The contact is
    optional and stored encrypted; only its masked form is ever shown.
    `warnings_seen`: the reasons the household was shown and confirmed past
    (a red or replaced code), kept in the audit entry for the regulator.
    """
    today = timezone.localdate()
    errors = {}
    if district not in District.values:
        errors["district"] = _("请选择服务所在区。")
    if service_date is None or service_date > today:
        errors["service_date"] = _("服务日期不能晚于今天。")
    elif service_date < today - datetime.timedelta(days=VISIT_BACKDATE_DAYS):
        errors["service_date"] = _("只能确认 %(days)s 天内的上门服务。") % {
            "days": VISIT_BACKDATE_DAYS
        }
    if scanned_via not in ServiceVisit.ScannedVia.values:
        errors["scanned_via"] = _("扫码方式不正确。")
    try:
        contact = _clean_contact(contact)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    raw_token = secrets.token_urlsafe(24)
    now = timezone.now()
    visit = ServiceVisit.objects.create(
        worker=worker,
        service_category=service_category,
        service_date=service_date,
        district=district,
        contact_encrypted=encrypt(contact) if contact else "",
        contact_masked=mask_phone(contact) if contact else "",
        confirmed_at=now,
        scanned_via=scanned_via,
        rating_token_hash=lookup_hash(f"rating:{raw_token}"),
        rating_link_expires_at=now + datetime.timedelta(days=rating_link_days()),
    )
    audit(
        visit,
        "registry.visit_confirm",
        data={
            "worker": worker.pk,
            "district": district,
            "via": scanned_via,
            "warnings_seen": [str(w) for w in warnings_seen],
        },
    )
    _trust_changed(worker.pk)
    return visit, raw_token


class RatingRefused(ValidationError):
    """A rating the one-time link does not (or no longer) allow."""


@transaction.atomic
def rating_submit(*, token: str, stars: int, comment: str = "") -> VisitRating:
    """Rate a visit through its one-time link: one rating per visit, before the link expires.

    A rating without a comment needs no moderation; a comment waits for a
    regulator before it shows anywhere public.
    """
    visit = (
        ServiceVisit.objects.select_for_update()
        .filter(rating_token_hash=lookup_hash(f"rating:{token or ''}"))
        .first()
    )
    if visit is None:
        raise RatingRefused(_("评价链接无效。"), code="unknown")
    if VisitRating.objects.filter(visit=visit).exists():
        raise RatingRefused(_("这次上门服务已经评价过了，每次服务只能评价一次。"), code="used")
    if visit.rating_link_expires_at < timezone.now():
        raise RatingRefused(_("评价链接已过期。"), code="expired")
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("请选择 1 到 5 星。")}, code="stars")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价内容请不要超过 500 字。")}, code="comment")
    rating = VisitRating.objects.create(
        visit=visit,
        stars=stars,
        comment=comment,
        status=VisitRating.Status.PENDING if comment else VisitRating.Status.APPROVED,
    )
    audit(
        rating,
        "registry.rating_submit",
        data={"visit": visit.pk, "stars": stars, "has_comment": bool(comment)},
    )
    _trust_changed(visit.worker_id)
    return rating


def _require_moderator(user, rating: VisitRating) -> None:
    from . import selectors

    if user is None or not user.has_perm("registry.moderate_visitrating"):
        raise PermissionDenied(_("只有监管人员可以审核评价。"))
    if not selectors.visit_ratings_visible_to(user).filter(pk=rating.pk).exists():
        raise PermissionDenied(_("这条评价不在你的监管范围内。"))


@transaction.atomic
def rating_moderate(
    *, rating: VisitRating, approve: bool, acting_user, note: str = ""
) -> VisitRating:
    """A regulator approves (comment shows publicly) or rejects (hidden, not counted) a rating."""
    _require_moderator(acting_user, rating)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不通过时请填写原因。")}, code="note_required")
    locked = VisitRating.objects.select_for_update().get(pk=rating.pk)
    previous = locked.status
    locked.status = VisitRating.Status.APPROVED if approve else VisitRating.Status.REJECTED
    locked.moderated_by = acting_user
    locked.moderated_at = timezone.now()
    locked.moderation_note = note[:255]
    locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_note"])
    audit(
        locked,
        "registry.rating_moderate",
        user=acting_user,
        data={"from": previous, "to": locked.status, "note": note},
    )
    _trust_changed(locked.visit.worker_id)
    return locked


@transaction.atomic
def rating_escalate_to_credit_record(
    *, rating: VisitRating, acting_user, description: str = "", kind: str = ""
) -> CreditRecord:
    """A regulator turns a rating (a complaint) into a credit record about the worker.

    Escalating the same rating twice is refused; the credit record names the
    visit (never the household) as its source.
    """
    _require_moderator(acting_user, rating)
    locked = (
        VisitRating.objects.select_for_update()
        .select_related("visit", "visit__worker")
        .get(pk=rating.pk)
    )
    if locked.credit_record_id is not None:
        raise ValidationError(_("这条评价已经转为信用记录。"), code="already_escalated")
    kind = kind or CreditRecord.Kind.COMPLAINT
    if kind not in (CreditRecord.Kind.COMPLAINT, CreditRecord.Kind.VIOLATION):
        raise ValidationError({"kind": _("只能转为投诉或违规记录。")}, code="kind")
    visit = locked.visit
    description = (
        (description or "").strip()
        or locked.comment
        or _("雇主评价 %(stars)s 星") % {"stars": locked.stars}
    )
    record = credit_record_create(
        kind=kind,
        source=_("上门服务评价（%(date)s）") % {"date": visit.service_date.isoformat()},
        occurred_on=visit.service_date,
        description=description,
        acting_user=acting_user,
        worker=visit.worker,
    )
    locked.credit_record = record
    fields = ["credit_record"]
    if locked.status == VisitRating.Status.PENDING:
        locked.status = VisitRating.Status.APPROVED
        locked.moderated_by = acting_user
        locked.moderated_at = timezone.now()
        fields += ["status", "moderated_by", "moderated_at"]
    locked.save(update_fields=fields)
    audit(
        locked,
        "registry.rating_escalate",
        user=acting_user,
        data={"credit_record": record.pk, "kind": kind},
    )
    return record


# --- worker sign-in ---------------------------------------------------------------
# lms.accounts checks SMS codes; these answer who a verified mobile number is
# (settings.PHONE_LOGIN_FIND / PHONE_LOGIN_ACTIVATE name them).


def worker_login_for_phone(*, phone: str):
    """The active login already tied to `phone`, or None (not yet activated, or not filed)."""
    from django.contrib.auth import get_user_model

    login = get_user_model().objects.filter(phone=phone, is_active=True).first()
    if login is not None:
        return login
    worker = Worker.objects.select_related("user").filter(phone=phone, user__isnull=False).first()
    if worker is not None and worker.user.is_active:
        return worker.user
    return None


def worker_activation_pending(*, phone: str) -> bool:
    """Whether a filed worker without a login has `phone` (the first sign-in then confirms them)."""
    return Worker.objects.filter(phone=phone, user__isnull=True).exists()


def worker_login_activate(*, phone: str, id_last4: str):
    """First sign-in: create the login of the filed worker with `phone` and this ID tail.

    The caller has proved the number by SMS code; the ID tail proves the
    person, so a number mistyped on somebody else's filing opens nothing.
    Returns the (new or existing) login, or None when no unlinked worker with
    this number has this ID tail. Two concurrent first sign-ins link exactly
    one login: the worker row is locked and the phone is unique among logins.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with transaction.atomic():
        worker = (
            Worker.objects.select_for_update()
            .filter(phone=phone, id_last4=(id_last4 or "").strip().upper())
            .order_by("-created_at")
            .first()
        )
        if worker is None:
            return None
        if worker.user_id is not None:
            return worker.user
        login = User.objects.filter(phone=phone).first()
        if login is None:
            login = User(username=f"w{phone}", phone=phone, name=worker.name)
            login.set_unusable_password()
            login.save()
            audit(login, "lms.account_activate", user=login, data={"worker": worker.pk})
        worker_link_login(worker=worker, login=login, acting_user=login)
    return login


@transaction.atomic
def worker_change_phone(*, worker: Worker, phone: str, acting_user=None) -> Worker:
    """Give a worker a new mobile number, on the filing and on the login alike.

    The old number stops signing in at once: its unused codes die, and the
    login answers only to the new number. Refuses a number another login has.
    """
    from django.contrib.auth import get_user_model

    from lms.accounts.models import SMSCode

    phone = normalize_mobile(phone)
    if not phone:
        raise ValidationError({"phone": _("请填写手机号。")}, code="phone_required")
    old = worker.phone
    if phone == old:
        return worker
    login = worker.user
    taken = get_user_model().objects.filter(phone=phone)
    if login is not None:
        taken = taken.exclude(pk=login.pk)
    if taken.exists():
        raise ValidationError(
            {"phone": _("这个手机号已经绑定了另一个账户，请换一个号码，或联系服务站。")},
            code="phone_taken",
        )
    worker.phone = phone
    worker.save(update_fields=["phone"])
    if login is not None:
        login.phone = phone
        login.save(update_fields=["phone"])
    if old:
        SMSCode.objects.filter(phone=old, used_at__isnull=True).update(expires_at=timezone.now())
    audit(
        worker,
        "registry.worker_change_phone",
        user=acting_user,
        data={"from": mask_phone(old), "to": mask_phone(phone)},
    )
    _public_changed(worker.pk)
    return worker
