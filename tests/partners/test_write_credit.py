"""Credit platforms (credit:write) add and expire credit records through
``registry.services.credit``: a blacklisting has its full effect (standing, certificates
revoked by the task, door red, edge purge), named by the partner in the audit trail."""

import datetime

from django.utils import timezone

import pytest

from certificates.door import door_status
from lms.audit import audit_entries
from partners.models import Partner, PartnerCall
from registry.models import CreditRecord
from registry.selectors.credit import agency_credit_standing, worker_credit_standing
from tests.certificates.test_edge_purges import urls
from tests.edge_recorder import paths, recording
from tests.partners.conftest import PartnerFactory
from tests.partners.test_write_idempotency import post
from tests.registry.factories import CreditRecordFactory, FiledAgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(token_for):
    partner = PartnerFactory(kind=Partner.Kind.CREDIT, scope="credit:read credit:write")
    return partner, token_for(partner)


def record(**more):
    return {
        "kind": "violation",
        "occurred_on": timezone.localdate().isoformat(),
        "description": "未按合同约定提供服务，经调查属实。",
        **more,
    }


def test_a_blacklisting_revokes_the_certificates_and_turns_the_door_red(
    api, platform, certificate, settings, django_capture_on_commit_callbacks
):
    partner, token = platform
    worker = certificate.worker
    assert door_status(worker).colour != "red"
    purged = recording(settings)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api,
            "/credit-records",
            token,
            record(kind="blacklist", worker_card_number=worker.card_number),
        )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["standing"] == "blacklisted"
    assert answer["worker"]["door"]["colour"] == "red"
    created = CreditRecord.objects.get(pk=answer["id"])
    assert (created.worker, created.kind, created.source) == (worker, "blacklist", partner.name)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    worker.refresh_from_db()
    assert door_status(worker).colour == "red"
    assert worker_credit_standing(worker).level == "blacklisted"
    assert urls(certificate) <= paths(purged)
    entry = audit_entries(created).get(action="registry.credit_record_create")
    assert entry.data["actor"] == {
        "kind": "partner",
        "id": partner.pk,
        "name": partner.name,
        "client_id": entry.data["actor"]["client_id"],
    }
    assert PartnerCall.objects.get(endpoint="credit_record_create").subjects == 1


def test_a_retried_blacklisting_writes_one_record(api, platform, certificate):
    _partner, token = platform
    body = record(kind="blacklist", worker_card_number=certificate.worker.card_number)
    assert post(api, "/credit-records", token, body).status_code == 201
    assert post(api, "/credit-records", token, body).status_code == 201
    assert CreditRecord.objects.count() == 1


def test_a_record_by_id_number_and_one_about_an_agency(api, platform, certificate):
    _partner, token = platform
    worker = certificate.worker
    response = post(api, "/credit-records", token, record(worker_id_number=worker.id_number))
    assert response.status_code == 201, response.content
    assert response.json()["standing"] == "caution"
    agency = FiledAgencyFactory()
    response = post(
        api, "/credit-records", token, record(agency_credit_code=agency.credit_code), key="a"
    )
    assert response.status_code == 201, response.content
    assert response.json()["agency_credit_code"] == agency.credit_code
    assert agency_credit_standing(agency).level == "caution"


def test_bad_subjects_are_named(api, platform, certificate):
    _partner, token = platform
    worker = certificate.worker
    both = record(worker_card_number=worker.card_number, worker_id_number=worker.id_number)
    assert post(api, "/credit-records", token, both, key="1").status_code == 422
    unknown = post(
        api, "/credit-records", token, record(worker_card_number="SHJZ99999999"), key="2"
    )
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["pointer"] == "#/worker_card_number"
    bad_code = post(api, "/credit-records", token, record(agency_credit_code="123"), key="3")
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["pointer"] == "#/agency_credit_code"
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    late = post(
        api,
        "/credit-records",
        token,
        record(worker_card_number=worker.card_number, occurred_on=future),
        key="4",
    )
    assert late.status_code == 422
    assert late.json()["errors"][0]["pointer"] == "#/occurred_on"
    assert not CreditRecord.objects.exists()


def test_expire_a_record(api, platform, certificate):
    partner, token = platform
    created = CreditRecordFactory(worker=certificate.worker, kind="violation")
    assert worker_credit_standing(certificate.worker).level == "caution"
    response = post(api, f"/credit-records/{created.pk}/expire", token, {"reason": "申诉成立。"})
    assert response.status_code == 201, response.content
    assert response.json()["standing"] == "good"
    created.refresh_from_db()
    assert created.expires_on == timezone.localdate()
    entry = audit_entries(created).get(action="registry.credit_record_expire")
    assert entry.data["actor"]["id"] == partner.pk
    again = post(api, f"/credit-records/{created.pk}/expire", token, {"reason": "再次"}, key="2")
    assert again.status_code == 409
    missing = post(api, "/credit-records/999999/expire", token, {"reason": "x"}, key="3")
    assert missing.status_code == 404
