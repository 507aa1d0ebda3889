"""Handling a complaint: the district regulator moves it 已受理 → 调查中 → 已办结, the
agency answers once, and an upheld complaint goes into the credit record through
the registry's own service (so standing, door colour and revocation follow).

Every step is one atomic, audited write with a reason; the household is texted
after commit. The reason is what the household reads; the internal note is not.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import CreditRecord
from registry.selectors.access import agency_staff_for_user
from registry.services.credit import credit_record_create

from ..models import Complaint, ComplaintEvent
from ..selectors.access import complaints_handled_by
from .messages import notify_status

#: Outcomes that put a complaint on the credit record of whoever was responsible.
UPHOLDING = frozenset({Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY_UPHELD})
REASON_MAX = 2000


def _signed_in(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _locked_for_handling(complaint: Complaint, acting_user) -> Complaint:
    """The complaint, locked, if `acting_user` handles it; 404-like refusal otherwise."""
    if not complaints_handled_by(acting_user).filter(pk=complaint.pk).exists():
        raise PermissionDenied(_("这件投诉不在您的办理范围内。"))
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("请填写理由，投诉人会看到这段说明。")}, code="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError({field: _("请不要超过 %(n)s 字。") % {"n": REASON_MAX}})
    return reason


@transaction.atomic
def complaint_start_investigation(
    *, complaint: Complaint, acting_user, reason: str, internal_note: str = ""
) -> Complaint:
    """已受理 → 调查中, with the reason the household reads."""
    reason = _reason(reason)
    locked = _locked_for_handling(complaint, acting_user)
    if locked.status != Complaint.Status.RECEIVED:
        raise ValidationError(_("只有“已受理”的投诉可以开始调查。"), code="status")
    now = timezone.now()
    locked.status = Complaint.Status.INVESTIGATING
    locked.save(update_fields=["status"])
    ComplaintEvent.objects.create(
        complaint=locked,
        kind=ComplaintEvent.Kind.INVESTIGATING,
        reason=reason,
        internal_note=(internal_note or "").strip(),
        by=_signed_in(acting_user),
        at=now,
    )
    audit(
        locked,
        "complaints.investigate",
        user=acting_user,
        data={"from": Complaint.Status.RECEIVED, "to": locked.status, "reason": reason},
    )
    notify_status(locked)
    return locked


def _check_responsible(locked: Complaint, outcome: str, responsible: str) -> str:
    if outcome not in UPHOLDING:
        return ""
    allowed = set()
    if locked.worker_id:
        allowed.add(Complaint.Responsible.WORKER)
    if locked.agency_id:
        allowed.add(Complaint.Responsible.AGENCY)
    if locked.worker_id and locked.agency_id:
        allowed.add(Complaint.Responsible.BOTH)
    if responsible not in allowed:
        raise ValidationError(
            {"responsible": _("投诉成立时请选择责任方（只能是这件投诉涉及的服务员或企业）。")},
            code="responsible",
        )
    return responsible


def _credit_records(locked: Complaint, responsible: str, reason: str, acting_user) -> list:
    """The complaint credit records of an upheld complaint, one per party responsible."""
    occurred_on = (
        locked.visit.service_date if locked.visit_id else timezone.localdate(locked.received_at)
    )
    occurred_on = min(occurred_on, timezone.localdate())
    common = {
        "kind": CreditRecord.Kind.COMPLAINT,
        "source": _("投诉 %(number)s（%(outcome)s）")
        % {"number": locked.number, "outcome": locked.get_outcome_display()},
        "occurred_on": occurred_on,
        "description": _("%(category)s：%(reason)s")
        % {"category": locked.get_category_display(), "reason": reason},
        "acting_user": acting_user,
    }
    records = []
    if responsible in (Complaint.Responsible.WORKER, Complaint.Responsible.BOTH):
        records.append(credit_record_create(worker=locked.worker, **common))
    if responsible in (Complaint.Responsible.AGENCY, Complaint.Responsible.BOTH):
        records.append(credit_record_create(agency=locked.agency, **common))
    return records


@transaction.atomic
def complaint_close(
    *,
    complaint: Complaint,
    acting_user,
    outcome: str,
    reason: str,
    internal_note: str = "",
    responsible: str = "",
) -> Complaint:
    """调查中 → 已办结 with an outcome and the reply the household reads.

    Upheld or partly upheld: a complaint credit record about the worker, the
    agency or both (`responsible`), through ``registry.services.credit``.
    Withdrawn may also close a complaint not yet under investigation.
    """
    reason = _reason(reason)
    if outcome not in Complaint.Outcome.values:
        raise ValidationError({"outcome": _("请选择办理结果。")}, code="outcome")
    locked = _locked_for_handling(complaint, acting_user)
    if locked.is_closed:
        raise ValidationError(_("这件投诉已经办结。"), code="closed")
    if locked.status == Complaint.Status.RECEIVED and outcome != Complaint.Outcome.WITHDRAWN:
        raise ValidationError(_("请先开始调查，再作出办理结论。"), code="status")
    responsible = _check_responsible(locked, outcome, responsible)
    previous = locked.status
    now = timezone.now()
    locked.status = Complaint.Status.CLOSED
    locked.outcome = outcome
    locked.outcome_reason = reason
    locked.responsible = responsible
    locked.closed_at = now
    locked.save(update_fields=["status", "outcome", "outcome_reason", "responsible", "closed_at"])
    records = _credit_records(locked, responsible, reason, acting_user) if responsible else []
    if records:
        locked.credit_records.add(*records)
    ComplaintEvent.objects.create(
        complaint=locked,
        kind=ComplaintEvent.Kind.CLOSED,
        reason=reason,
        internal_note=(internal_note or "").strip(),
        by=_signed_in(acting_user),
        at=now,
    )
    audit(
        locked,
        "complaints.close",
        user=acting_user,
        data={
            "from": previous,
            "to": locked.status,
            "outcome": outcome,
            "responsible": responsible,
            "reason": reason,
            "credit_records": [r.pk for r in records],
            "on_time": timezone.localdate(now) <= locked.due_on,
        },
    )
    notify_status(locked)
    return locked


@transaction.atomic
def complaint_agency_answer(*, complaint: Complaint, acting_user, answer: str) -> Complaint:
    """The agency concerned answers, once, by its answer date, before the complaint is closed.

    The answer is for the regulator handling the complaint; the household is not shown it.
    """
    answer = _reason(answer, field="answer")
    membership = agency_staff_for_user(acting_user)
    if membership is None or membership.agency_id != complaint.agency_id:
        raise PermissionDenied(_("只有被投诉企业的员工可以答复。"))
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.agency_answered_at is not None:
        raise ValidationError(_("企业已经答复过这件投诉，每件投诉只能答复一次。"), code="answered")
    if locked.is_closed:
        raise ValidationError(_("这件投诉已经办结，不能再答复。"), code="closed")
    now = timezone.now()
    if timezone.localdate(now) > locked.agency_answer_due_on:
        raise ValidationError(
            _("答复期限（%(due)s）已过，不能再答复。") % {"due": locked.agency_answer_due_on},
            code="late",
        )
    locked.agency_answer = answer
    locked.agency_answered_at = now
    locked.agency_answered_by = _signed_in(acting_user)
    locked.save(update_fields=["agency_answer", "agency_answered_at", "agency_answered_by"])
    ComplaintEvent.objects.create(
        complaint=locked,
        kind=ComplaintEvent.Kind.AGENCY_ANSWER,
        reason=answer,
        by=_signed_in(acting_user),
        at=now,
    )
    audit(locked, "complaints.agency_answer", user=acting_user, data={"length": len(answer)})
    return locked
