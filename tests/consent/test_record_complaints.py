"""The full record shows the complaints about the worker and how they ended — what was
complained of, when, the outcome — and never the household's words or contact."""

import pytest

from complaints.models import Complaint
from complaints.services.handling import complaint_close, complaint_start_investigation
from tests.complaints import factories as complaints
from tests.consent.conftest import granted
from tests.registry.factories import RegulatorFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = "服务员迟到两个小时，打扫不干净，态度很差。"


def test_complaints_and_their_outcomes_are_on_the_full_record(
    household, worker_client, certificate, worker
):
    regulator = RegulatorFactory(district=worker.agency.district).user
    upheld = complaints.complaint(card_number=worker.card_number, phone="13700001111")
    complaint_start_investigation(complaint=upheld, acting_user=regulator, reason="已核实。")
    complaint_close(
        complaint=upheld,
        acting_user=regulator,
        outcome=Complaint.Outcome.UPHELD,
        reason="经核实，服务员确有迟到。",
        responsible=Complaint.Responsible.WORKER,
    )
    complaints.complaint(
        card_number=worker.card_number,
        phone="13700002222",
        category="price",
        description="价格与约定不一致，多收了一百元。",
    )
    granted(household, worker_client, certificate)
    page = household.get("/consent/record/").content.decode()
    assert "住户投诉及办理结果" in page
    assert "投诉成立" in page and "已受理" in page
    assert str(Complaint.Category.QUALITY.label) in page
    assert str(Complaint.Category.PRICE.label) in page
    # (The upheld finding itself is on the public credit record the complaint made.)
    for private in (DESCRIPTION, "多收了一百元", "13700001111", "1111"):
        assert private not in page
