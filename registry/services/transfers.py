"""Transfers (转入): a person the registry knows is filed by another agency.

The one rule for filing a known ID number, the pending transfer request a
refused filing leaves, and the worker's answer to it. No refusal names
another agency (docs/decisions.md: transfers).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import (
    Agency,
    Branch,
    Employment,
    Filing,
    FilingStatus,
    TransferRequest,
    Worker,
)
from registry.services.changes import filing_status_changed
from registry.services.common import (
    check_health_dates,
    door_checks_deferred,
    public_changed,
    record_transition,
    signed_in_user,
    store_photo,
    transfer_refusal_message,
)
from registry.services.employment import employment_end, employment_start


class TransferNeedsConsent(ValidationError):
    """A filing refused because the person still works for another agency.

    The message names nothing about the other agency. The refused attempt is
    kept as a pending ``TransferRequest`` the worker can confirm on /me/record/.
    """

    def __init__(self, *, worker_id: int, agency_id: int, branch_id: int | None, user_id):
        super().__init__({"id_number": transfer_refusal_message()}, code="employed_elsewhere")
        self.worker_id, self.agency_id = worker_id, agency_id
        self.branch_id, self.user_id = branch_id, user_id


def _duplicate_message() -> str:
    # The same words whoever holds the filing: a refusal never names another agency.
    return _("该身份证号已有备案，请勿重复备案。")


#: Filing states that have ended: the person is free to be filed elsewhere.
ENDED_FILING_STATES = frozenset({FilingStatus.REJECTED, FilingStatus.WITHDRAWN})


def file_known_worker(
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
    ``TransferNeedsConsent``. Refusals name no other agency. Only
    ``worker_create`` calls it, inside its transaction.
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
            user_id=signed_in_user(acting_user).pk if signed_in_user(acting_user) else None,
        )
    _transfer_in(
        worker,
        agency=agency,
        branch=branch,
        acting_user=acting_user,
        submitted_by=signed_in_user(acting_user),
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
        locked.status, locked.reason = FilingStatus.WITHDRAWN, reason
        fields += ["status", "reason"]
        record_transition(locked, from_status, FilingStatus.WITHDRAWN, None, reason)
        filing_status_changed(locked, from_status, FilingStatus.WITHDRAWN)
        audit(
            locked,
            "registry.filing_withdraw",
            data={"from": from_status, "to": FilingStatus.WITHDRAWN, "reason": reason},
        )
    locked.save(update_fields=fields)


def _transfer_in(worker: Worker, **steps) -> Filing:
    """File a known (locked) worker with `agency`: same row, same card, a new current filing.

    The former filing becomes history, an open employment elsewhere ends
    today (its agency is told), and an employment with `agency` starts today.
    The door colour is checked once, after every step (never the withdrawn
    filing's red of the moment in between).
    """
    with door_checks_deferred():
        return _transfer_steps(worker, **steps)


def _transfer_steps(
    worker: Worker,
    *,
    agency: Agency,
    branch: Branch | None,
    acting_user,
    submitted_by,
    details: dict,
    reason: str,
) -> Filing:
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
    check_health_dates(worker.health_check_date, worker.health_check_expiry)
    worker.save(update_fields=fields)
    if details.get("service_categories"):
        worker.service_categories.set(details["service_categories"])
    if details.get("photo"):
        store_photo(worker, details["photo"])
    kind = Filing.Kind.NEW if previous_agency_id == agency.pk else Filing.Kind.TRANSFER
    filing = Filing.objects.create(
        worker=worker,
        filing_agency=agency,
        kind=kind,
        status=FilingStatus.SUBMITTED,
        submitted_by=submitted_by,
    )
    record_transition(filing, "", FilingStatus.SUBMITTED, acting_user, reason)
    filing_status_changed(filing, "", FilingStatus.SUBMITTED)
    audit(
        filing,
        "registry.filing_transfer_in" if kind == Filing.Kind.TRANSFER else "registry.filing_submit",
        user=acting_user,
        data={
            "to": FilingStatus.SUBMITTED,
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
    public_changed(worker.pk)
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
