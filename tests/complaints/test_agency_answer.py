"""The agency concerned answers once, within 3 working days, in its admin workspace."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

import pytest
import time_machine

from complaints.services.handling import complaint_agency_answer
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


@time_machine.travel(MONDAY, tick=False)
def test_the_agency_answers_once(agency_staff_of):
    worker = ApprovedWorkerFactory()
    complaint = factories.complaint(card_number=worker.card_number)
    staff = agency_staff_of(worker.agency)
    complaint_agency_answer(
        complaint=complaint, acting_user=staff, answer="已约谈服务员并退还服务费。"
    )
    complaint.refresh_from_db()
    assert complaint.agency_answer.startswith("已约谈")
    with pytest.raises(ValidationError):
        complaint_agency_answer(complaint=complaint, acting_user=staff, answer="再答复一次")


def test_another_agency_cannot_answer(agency_staff_of):
    complaint = factories.complaint()
    with pytest.raises(PermissionDenied):
        complaint_agency_answer(
            complaint=complaint, acting_user=agency_staff_of(AgencyFactory()), answer="不是我们"
        )


def test_after_three_working_days_the_answer_is_refused(agency_staff_of):
    with time_machine.travel(MONDAY, tick=False):
        worker = ApprovedWorkerFactory()
        complaint = factories.complaint(card_number=worker.card_number)
    assert complaint.agency_answer_due_on == datetime.date(2026, 3, 5)
    staff = agency_staff_of(worker.agency)
    friday = datetime.datetime(2026, 3, 6, 2, tzinfo=datetime.UTC)
    with time_machine.travel(friday, tick=False), pytest.raises(ValidationError):
        complaint_agency_answer(complaint=complaint, acting_user=staff, answer="迟到的答复")
    complaint.refresh_from_db()
    assert complaint.agency_answer == ""


def test_the_agency_sees_its_complaints_and_answers_in_the_admin(
    client, login_staff, agency_staff_of
):
    worker = ApprovedWorkerFactory()
    complaint = factories.complaint(card_number=worker.card_number)
    other = factories.complaint(credit_code=AgencyFactory().credit_code, phone="13900000003")
    login_staff(client, agency_staff_of(worker.agency))
    listing = client.get("/admin/complaints/agency/")
    assert complaint.number in listing.text and other.number not in listing.text
    assert client.get(f"/admin/complaints/agency/{other.pk}/answer/").status_code == 404
    response = client.post(
        f"/admin/complaints/agency/{complaint.pk}/answer/", {"answer": "已与雇主沟通。"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.agency_answer == "已与雇主沟通。"
    # The regulators' queue is not the agency's.
    assert client.get("/admin/complaints/").status_code in (302, 403)


def test_the_agency_home_lists_its_open_complaints(client, login_staff, agency_staff_of):
    worker = ApprovedWorkerFactory()
    complaint = factories.complaint(card_number=worker.card_number)
    login_staff(client, agency_staff_of(worker.agency))
    home = client.get("/admin/")
    assert "家庭投诉" in home.text and complaint.number in home.text
    assert f"/admin/complaints/agency/{complaint.pk}/answer/" in home.text
