"""The household's status page: by number and the phone's last four digits; the outcome
and its reply, never the internal notes or the agency's answer; every person masked."""

import re

import pytest

from complaints.services.handling import (
    complaint_agency_answer,
    complaint_close,
    complaint_start_investigation,
)
from tests.registry.factories import ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db

PHONE_RE = re.compile(r"1[3-9]\d{9}")
ID_RE = re.compile(r"\d{17}[\dXx]")


def _track(client, number, tail):
    return client.post("/complaints/track/", {"number": number, "phone_last4": tail})


@pytest.fixture
def closed_complaint(xuhui_regulator, agency_staff_of, django_capture_on_commit_callbacks):
    worker = ApprovedWorkerFactory(name="王丽华")
    _visit, token = factories.visit_with_token(worker)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = factories.complaint(token=token)
        complaint_agency_answer(
            complaint=complaint,
            acting_user=agency_staff_of(worker.agency),
            answer="企业内部答复：该员工已被警告",
        )
        complaint_start_investigation(
            complaint=complaint,
            acting_user=xuhui_regulator,
            reason="已调取服务记录。",
            internal_note="内部备注：企业负责人态度差",
        )
        complaint_close(
            complaint=complaint,
            acting_user=xuhui_regulator,
            outcome="upheld",
            reason="投诉属实，已记入信用记录。",
            internal_note="内部备注：建议下月复查",
            responsible="worker",
        )
    return complaint


def test_number_and_tail_show_the_outcome_without_internal_notes(client, closed_complaint):
    response = _track(client, closed_complaint.number, "5678")
    text = response.text
    assert response.status_code == 200
    assert "投诉成立" in text and "投诉属实，已记入信用记录。" in text
    assert "内部备注" not in text and "企业内部答复" not in text
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_tail_and_a_wrong_number_look_the_same(client, closed_complaint):
    wrong_tail = _track(client, closed_complaint.number, "0000")
    wrong_number = _track(client, "TS-2000-000001", "5678")
    assert "投诉成立" not in wrong_tail.text
    assert "没有找到这件投诉" in wrong_tail.text and "没有找到这件投诉" in wrong_number.text


def test_pii_scan_of_the_tracking_page_and_every_message(client, closed_complaint, outbox):
    text = _track(client, closed_complaint.number, "5678").text
    messages = [m for _p, m in outbox]
    assert len(messages) == 3
    for body in [text, *messages]:
        assert "王丽华" not in body
        assert not PHONE_RE.search(body), body
        assert not ID_RE.search(body)
    assert "王*华" in text and "139****5678" in text


def test_tracking_is_limited_per_number(client, closed_complaint, settings):
    settings.COMPLAINTS_TRACK_NUMBER_RATE = "3/h"
    for tail in ("0001", "0002", "0003"):
        assert _track(client, closed_complaint.number, tail).status_code == 200
    assert _track(client, closed_complaint.number, "5678").status_code == 429


def test_a_number_in_the_address_only_fills_the_form(client, closed_complaint):
    response = client.get(f"/complaints/track/?number={closed_complaint.number}")
    assert closed_complaint.number in response.text
    assert "投诉成立" not in response.text
