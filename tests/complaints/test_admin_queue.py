"""The district regulator's queue in the admin: their district's complaints only; another
district's complaint, its photos and its forms are a 404."""

import pytest

from complaints.models import Complaint
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_complaints():
    xuhui = factories.complaint(photos=[factories.photo_bytes()])
    worker = ApprovedWorkerFactory(agency=AgencyFactory(district="pudong"))
    _visit, token = factories.visit_with_token(worker, district="pudong")
    pudong = factories.complaint(token=token, phone="13900000004")
    return xuhui, pudong


def test_the_queue_lists_the_district_s_complaints_only(
    client, login_staff, xuhui_regulator, two_complaints
):
    xuhui, pudong = two_complaints
    login_staff(client, xuhui_regulator)
    response = client.get("/admin/complaints/")
    assert response.status_code == 200
    assert xuhui.number in response.text and pudong.number not in response.text


def test_another_district_gets_404_everywhere(client, login_staff, xuhui_regulator, two_complaints):
    _xuhui, pudong = two_complaints
    login_staff(client, xuhui_regulator)
    assert client.get(f"/admin/complaints/{pudong.pk}/").status_code == 404
    response = client.post(
        f"/admin/complaints/{pudong.pk}/", {"action": "investigate", "reason": "越权"}
    )
    assert response.status_code == 404
    pudong.refresh_from_db()
    assert pudong.status == Complaint.Status.RECEIVED


def test_photos_only_for_the_handling_district(
    client, login_staff, xuhui_regulator, pudong_regulator, two_complaints
):
    xuhui, _pudong = two_complaints
    photo = xuhui.photos.get()
    login_staff(client, xuhui_regulator)
    response = client.get(f"/admin/complaints/{xuhui.pk}/photos/{photo.pk}/thumb/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    login_staff(client, pudong_regulator)
    assert client.get(f"/admin/complaints/{xuhui.pk}/photos/{photo.pk}/").status_code == 404


def test_the_regulator_handles_through_the_detail_page(
    client, login_staff, xuhui_regulator, two_complaints
):
    xuhui, _pudong = two_complaints
    login_staff(client, xuhui_regulator)
    page = client.get(f"/admin/complaints/{xuhui.pk}/")
    assert factories.HOUSEHOLD_PHONE not in page.text and "139****5678" in page.text
    client.post(f"/admin/complaints/{xuhui.pk}/", {"action": "investigate", "reason": "核实中"})
    response = client.post(
        f"/admin/complaints/{xuhui.pk}/",
        {"action": "close", "outcome": "upheld", "responsible": "", "reason": "属实"},
    )
    assert response.status_code == 200  # refused: no responsible party
    assert "责任方" in response.text
    xuhui.refresh_from_db()
    assert xuhui.status == Complaint.Status.INVESTIGATING
    client.post(
        f"/admin/complaints/{xuhui.pk}/",
        {"action": "close", "outcome": "upheld", "responsible": "worker", "reason": "属实"},
    )
    xuhui.refresh_from_db()
    assert xuhui.outcome == "upheld" and xuhui.credit_records.count() == 1


def test_city_regulator_sees_every_district(client, login_staff, city_regulator, two_complaints):
    login_staff(client, city_regulator)
    text = client.get("/admin/complaints/").text
    assert all(c.number in text for c in two_complaints)
