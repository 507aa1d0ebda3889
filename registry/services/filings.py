"""The filing state machine (备案): review, approval, rejection, return, withdrawal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import Agency, Filing, FilingStatus
from registry.services.changes import filing_status_changed
from registry.services.common import public_changed, record_transition, signed_in_user

#: The filing state machine: from → allowed targets.
TRANSITIONS: dict[str, frozenset[str]] = {
    FilingStatus.SUBMITTED: frozenset(
        {
            FilingStatus.UNDER_REVIEW,
            FilingStatus.APPROVED,
            FilingStatus.REJECTED,
            FilingStatus.RETURNED,
            FilingStatus.WITHDRAWN,
        }
    ),
    FilingStatus.UNDER_REVIEW: frozenset(
        {FilingStatus.APPROVED, FilingStatus.REJECTED, FilingStatus.RETURNED}
    ),
    FilingStatus.RETURNED: frozenset({FilingStatus.SUBMITTED, FilingStatus.WITHDRAWN}),
    FilingStatus.APPROVED: frozenset({FilingStatus.WITHDRAWN}),
    FilingStatus.REJECTED: frozenset(),
    FilingStatus.WITHDRAWN: frozenset(),
}


#: Transitions that must say why.
REASON_REQUIRED = frozenset({FilingStatus.REJECTED, FilingStatus.RETURNED, FilingStatus.WITHDRAWN})


class IllegalTransition(ValidationError):
    """A filing move the state machine does not allow."""


def _transition(filing: Filing, to_status: str, *, acting_user, reason: str = "") -> Filing:
    reason = (reason or "").strip()
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    from_status = locked.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            _("备案状态为“%(from)s”时不能改为“%(to)s”。")
            % {"from": FilingStatus(from_status).label, "to": FilingStatus(to_status).label},
            code="illegal_transition",
        )
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("请填写原因。")}, code="reason_required")
    locked.status = to_status
    fields = ["status", "updated_at"]
    if to_status in (
        FilingStatus.APPROVED,
        FilingStatus.REJECTED,
        FilingStatus.RETURNED,
        FilingStatus.UNDER_REVIEW,
    ):
        locked.reviewed_by = signed_in_user(acting_user)
        locked.reviewed_at = timezone.now()
        fields += ["reviewed_by", "reviewed_at"]
    if to_status in REASON_REQUIRED or to_status == FilingStatus.APPROVED:
        locked.reason = reason
        fields.append("reason")
    if to_status == FilingStatus.SUBMITTED:
        locked.submitted_by = signed_in_user(acting_user) or locked.submitted_by
        fields.append("submitted_by")
    locked.save(update_fields=fields)
    record_transition(locked, from_status, to_status, acting_user, reason)
    filing_status_changed(locked, from_status, to_status)
    public_changed(locked.worker_id)
    if locked.agency_id:
        Agency.objects.filter(pk=locked.agency_id).update(filing_status=to_status)
    action = {
        FilingStatus.UNDER_REVIEW: "registry.filing_start_review",
        FilingStatus.APPROVED: "registry.filing_approve",
        FilingStatus.REJECTED: "registry.filing_reject",
        FilingStatus.RETURNED: "registry.filing_return",
        FilingStatus.SUBMITTED: "registry.filing_submit",
        FilingStatus.WITHDRAWN: "registry.filing_withdraw",
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
    """The states a filing may move to from its current one (the review screen's buttons)."""
    return TRANSITIONS.get(filing.status, frozenset())


@transaction.atomic
def filing_start_review(*, filing: Filing, acting_user) -> Filing:
    """A reviewer takes a submitted filing into review."""
    return _transition(filing, FilingStatus.UNDER_REVIEW, acting_user=acting_user)


@transaction.atomic
def filing_approve(*, filing: Filing, acting_user, reason: str = "") -> Filing:
    """Approve (登记) a filing; the worker can then receive a card."""
    return _transition(filing, FilingStatus.APPROVED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_reject(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Reject a filing, with the reason the agency and worker will read."""
    return _transition(filing, FilingStatus.REJECTED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_return(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Return a filing for correction, saying what to correct."""
    return _transition(filing, FilingStatus.RETURNED, acting_user=acting_user, reason=reason)


@transaction.atomic
def filing_resubmit(*, filing: Filing, acting_user) -> Filing:
    """Submit a returned filing again after correction."""
    return _transition(filing, FilingStatus.SUBMITTED, acting_user=acting_user)


@transaction.atomic
def filing_withdraw(*, filing: Filing, acting_user, reason: str) -> Filing:
    """Withdraw (注销) a filing. A card already issued keeps its number, never reused."""
    return _transition(filing, FilingStatus.WITHDRAWN, acting_user=acting_user, reason=reason)
