"""Complaint figures for regulators: by district, category and outcome, the share closed
on time on the supervision page, and a complaints table in the monthly report."""

import datetime

from django.urls import reverse

import pytest
import time_machine

from complaints.selectors.statistics import complaint_figures, complaints_received
from complaints.services.handling import complaint_close, complaint_start_investigation
from dashboards import services
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC)


def _close(complaint, user, outcome, responsible=""):
    complaint_start_investigation(complaint=complaint, acting_user=user, reason="调查")
    complaint_close(
        complaint=complaint,
        acting_user=user,
        outcome=outcome,
        reason="结论",
        responsible=responsible,
    )


@pytest.fixture
def handled(city_regulator):
    """In March 2026: three complaints in Xuhui (one upheld on time, one closed late,
    one open and overdue) and one in Pudong (open, in time)."""
    with time_machine.travel(MONDAY, tick=False):
        upheld = factories.complaint(category="damage")
        late = factories.complaint(category="price", phone="13900000011")
        factories.complaint(phone="13900000012")
    with time_machine.travel(datetime.datetime(2026, 3, 5, 2, tzinfo=datetime.UTC), tick=False):
        _close(upheld, city_regulator, "upheld", "worker")
    with time_machine.travel(datetime.datetime(2026, 3, 26, 2, tzinfo=datetime.UTC), tick=False):
        _close(late, city_regulator, "not_upheld")
        worker = ApprovedWorkerFactory(agency=AgencyFactory(district="pudong"))
        _visit, token = factories.visit_with_token(worker, district="pudong")
        factories.complaint(token=token, phone="13900000013")


def test_figures_by_district_category_outcome_and_on_time(handled):
    with time_machine.travel(datetime.datetime(2026, 3, 30, 2, tzinfo=datetime.UTC), tick=False):
        data = complaint_figures(complaints_received())
    assert data["total"] == 4 and data["open"] == 2 and data["overdue"] == 1
    assert {r["code"]: r["count"] for r in data["by_district"]} == {"xuhui": 3, "pudong": 1}
    assert {r["code"]: r["count"] for r in data["by_category"]}["damage"] == 1
    outcomes = {r["code"]: r["count"] for r in data["by_outcome"]}
    assert outcomes["upheld"] == 1 and outcomes["not_upheld"] == 1
    # Due: the two closed and the overdue one; on time: only the upheld one.
    assert data["on_time_percent"] == pytest.approx(33.3)


def test_the_supervision_page_shows_the_district_s_complaints(
    client, login_staff, xuhui_regulator, handled
):
    login_staff(client, xuhui_regulator)
    response = client.get(reverse("dashboards_admin:supervision_district", args=["xuhui"]))
    assert response.status_code == 200
    assert "投诉办理" in response.text and "按期办结率" in response.text


def test_the_monthly_report_has_a_complaints_table(handled, client, login_staff, city_regulator):
    with time_machine.travel(datetime.datetime(2026, 4, 2, 2, tzinfo=datetime.UTC), tick=False):
        report = services.monthly_report_generate(month=datetime.date(2026, 3, 1))
    rows = {r["district"]: r["values"] for r in report.data["tables"]["complaints"]["rows"]}
    assert rows["xuhui"] == {"received": 3, "closed": 2, "upheld": 1, "on_time": 1}
    assert rows["pudong"]["received"] == 1
    login_staff(client, city_regulator)
    page = client.get(reverse("dashboards_admin:report_month", args=[report.pk]))
    assert "投诉办理" in page.text and "按期办结" in page.text
