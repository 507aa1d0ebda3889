"""An agency asks from its workspace by card number, reads the matching number to the worker,
and sees the full record in the admin once the worker consents."""

import pytest

from consent.models import ConsentRequest, ViewerKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_client(client, login_staff, agency_staff):
    return login_staff(client, agency_staff)


def test_the_agency_asks_waits_and_reads_the_record(
    agency_client, agency_staff, worker, login_worker
):
    from django.test import Client

    assert "/admin/consent/" in agency_client.get("/admin/").content.decode()  # the menu item
    response = agency_client.post("/admin/consent/", {"card_number": worker.card_number.lower()})
    consent_request = ConsentRequest.objects.get()
    assert response["Location"] == f"/admin/consent/requests/{consent_request.pk}/"
    assert consent_request.viewer_kind == ViewerKind.AGENCY
    agency_name = agency_staff.agency_staff.agency.name
    assert consent_request.viewer_label == agency_name
    page = agency_client.get(response["Location"])
    assert consent_request.matching_number in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    status = f"/admin/consent/requests/{consent_request.pk}/status/"
    assert agency_client.get(status).json() == {"state": "pending"}
    # The worker sees the agency by name and the same number.
    worker_client = login_worker(Client(), worker.user)
    inbox = worker_client.get("/me/code/").content.decode()
    assert agency_name in inbox and consent_request.matching_number in inbox
    worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 24}
    )
    assert agency_client.get(status).json() == {"state": "approved"}
    grant = ConsentRequest.objects.get().grant
    assert agency_client.get(f"/admin/consent/requests/{consent_request.pk}/")["Location"] == (
        f"/admin/consent/grants/{grant.pk}/"
    )
    record = agency_client.get(f"/admin/consent/grants/{grant.pk}/")
    assert "王丽华" in record.content.decode() and "no-store" in record["Cache-Control"]
    assert agency_name in worker_client.get("/me/views/").content.decode()


def test_an_unknown_card_number_is_explained(agency_client):
    response = agency_client.post("/admin/consent/", {"card_number": "SHJZ99999999"})
    assert "没有这个家政卡号" in response.content.decode()
    assert not ConsentRequest.objects.exists()


def test_staff_without_an_agency_cannot_ask(client, login_staff, worker):
    from tests.registry.factories import RegulatorFactory

    regulator = login_staff(client, RegulatorFactory(district="").user)
    # Wagtail answers a refusal with its redirect to the dashboard.
    assert regulator.get("/admin/consent/").status_code in (302, 403)
    regulator.post("/admin/consent/", {"card_number": worker.card_number})
    assert not ConsentRequest.objects.exists()
    assert "/admin/consent/" not in regulator.get("/admin/").content.decode()
