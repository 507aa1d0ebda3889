"""Handling: 已受理 → 调查中 → 已办结 with reasons, audited, texted; an upheld complaint
becomes a credit record through the registry's service and the door code turns yellow."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from certificates import door
from complaints.models import Complaint
from complaints.services.handling import complaint_close, complaint_start_investigation
from lms.audit import audit_entries
from registry.models import CreditRecord
from registry.selectors.credit import agency_credit_standing
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust.factories import certificate, insurance

from . import factories

pytestmark = pytest.mark.django_db


def _investigate(complaint, user):
    return complaint_start_investigation(
        complaint=complaint,
        acting_user=user,
        reason="已联系企业核实情况。",
        internal_note="企业电话 021-1",
    )


def test_upheld_complaint_makes_a_credit_record_and_turns_the_door_yellow(xuhui_regulator):
    worker = ApprovedWorkerFactory(
        health_check_expiry=timezone.localdate() + timezone.timedelta(days=300)
    )
    insurance(worker)
    certificate(worker)
    assert door.door_status(worker).colour == door.GREEN
    _visit, token = factories.visit_with_token(worker)
    complaint = factories.complaint(token=token)
    _investigate(complaint, xuhui_regulator)
    closed = complaint_close(
        complaint=complaint,
        acting_user=xuhui_regulator,
        outcome=Complaint.Outcome.UPHELD,
        reason="经核实，服务员确有迟到和清洁不到位的情况。",
        internal_note="企业承认排班失误",
        responsible=Complaint.Responsible.BOTH,
    )
    records = CreditRecord.objects.filter(kind=CreditRecord.Kind.COMPLAINT)
    assert {(r.worker_id, r.agency_id) for r in records} == {
        (worker.pk, None),
        (None, worker.agency_id),
    }
    assert set(closed.credit_records.all()) == set(records)
    assert complaint.number in records.first().source
    assert door.door_status(worker).colour == door.YELLOW
    assert agency_credit_standing(worker.agency).level == "caution"


@pytest.mark.parametrize("outcome", ["not_upheld", "withdrawn"])
def test_not_upheld_or_withdrawn_leaves_the_credit_record_alone(outcome, xuhui_regulator):
    complaint = factories.complaint()
    _investigate(complaint, xuhui_regulator)
    complaint_close(
        complaint=complaint, acting_user=xuhui_regulator, outcome=outcome, reason="经调查不属实。"
    )
    assert not CreditRecord.objects.exists()


def test_every_step_is_audited_with_its_reason_and_texted(
    xuhui_regulator, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = factories.complaint()
        _investigate(complaint, xuhui_regulator)
        complaint_close(
            complaint=complaint,
            acting_user=xuhui_regulator,
            outcome="partly_upheld",
            reason="部分属实。",
            responsible="worker",
        )
    actions = [(e.action, e.data.get("reason")) for e in audit_entries(complaint)]
    assert ("complaints.investigate", "已联系企业核实情况。") in actions
    assert ("complaints.close", "部分属实。") in actions
    texts = [m for p, m in outbox if p == factories.HOUSEHOLD_PHONE]
    assert len(texts) == 3
    assert "调查中" in texts[1] and "投诉部分成立" in texts[2]


def test_upholding_needs_a_responsible_party_among_those_named(xuhui_regulator):
    agency_only = factories.complaint(credit_code=ApprovedWorkerFactory().agency.credit_code)
    _investigate(agency_only, xuhui_regulator)
    for responsible in ("", "worker", "both"):
        with pytest.raises(ValidationError):
            complaint_close(
                complaint=agency_only,
                acting_user=xuhui_regulator,
                outcome="upheld",
                reason="属实。",
                responsible=responsible,
            )
    agency_only.refresh_from_db()
    assert agency_only.status == Complaint.Status.INVESTIGATING
    assert not CreditRecord.objects.exists()


def test_statuses_go_in_order(xuhui_regulator):
    complaint = factories.complaint()
    with pytest.raises(ValidationError):
        complaint_close(
            complaint=complaint, acting_user=xuhui_regulator, outcome="upheld", reason="属实。"
        )
    _investigate(complaint, xuhui_regulator)
    with pytest.raises(ValidationError):
        _investigate(complaint, xuhui_regulator)
    fresh = factories.complaint(phone="13900000009")
    with pytest.raises(ValidationError):
        complaint_start_investigation(complaint=fresh, acting_user=xuhui_regulator, reason=" ")


def test_withdrawn_may_close_a_complaint_not_yet_investigated(xuhui_regulator):
    complaint = factories.complaint()
    complaint_close(
        complaint=complaint, acting_user=xuhui_regulator, outcome="withdrawn", reason="投诉人撤回。"
    )
    complaint.refresh_from_db()
    assert complaint.outcome == "withdrawn"


def test_another_district_cannot_handle(pudong_regulator, city_regulator):
    complaint = factories.complaint()  # visit in xuhui
    with pytest.raises(PermissionDenied):
        _investigate(complaint, pudong_regulator)
    _investigate(complaint, city_regulator)
