"""Health-check institutions (health:write) record a worker's health check and the door
colour follows; insurers (insurance:write) record a policy through ``insurance_add``."""

import datetime

from django.utils import timezone

import pytest

from certificates.door import door_status
from lms.audit import audit_entries
from partners.models import Partner
from registry.models import Insurance
from tests.partners.conftest import PartnerFactory
from tests.partners.test_write_idempotency import post

pytestmark = pytest.mark.django_db


def _days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_health_check_updates_the_door(api, token_for, certificate):
    partner = PartnerFactory(kind=Partner.Kind.GOVERNMENT, scope="health:write")
    worker = certificate.worker
    worker.health_check_expiry = timezone.localdate() - datetime.timedelta(days=1)
    worker.save(update_fields=["health_check_expiry"])
    before = door_status(worker)
    assert before.colour != "green"
    body = {
        "card_number": worker.card_number,
        "health_check_date": _days(0),
        "health_check_expiry": _days(365),
    }
    response = post(api, "/health-checks", token_for(partner), body)
    assert response.status_code == 201, response.content
    worker.refresh_from_db()
    assert worker.health_check_expiry == timezone.localdate() + datetime.timedelta(days=365)
    after = door_status(worker)
    assert after.reasons != before.reasons
    assert response.json()["worker"]["door"]["reasons"] == after.reasons
    assert response.json()["worker"]["health_check_expiry"] == _days(365)
    entry = audit_entries(worker).get(action="registry.worker_update")
    assert entry.data["actor"]["id"] == partner.pk


def test_health_check_dates_are_checked_as_in_the_admin(api, token_for, certificate):
    partner = PartnerFactory(kind=Partner.Kind.GOVERNMENT, scope="health:write")
    worker = certificate.worker
    expiry = worker.health_check_expiry
    body = {
        "card_number": worker.card_number,
        "health_check_date": _days(3),
        "health_check_expiry": _days(365),
    }
    response = post(api, "/health-checks", token_for(partner), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/health_check_date"
    worker.refresh_from_db()
    assert worker.health_check_expiry == expiry
    unknown = post(
        api, "/health-checks", token_for(partner), {**body, "card_number": "X1234"}, key="2"
    )
    assert unknown.status_code == 404


def test_an_insurer_records_a_policy(api, token_for, certificate):
    partner = PartnerFactory(kind=Partner.Kind.GOVERNMENT, scope="insurance:write")
    token = token_for(partner)
    body = {
        "card_number": certificate.worker.card_number,
        "policy_number": "PZHA2026310100001",
        "start_date": _days(-1),
        "end_date": _days(364),
    }
    response = post(api, "/insurance-policies", token, body)
    assert response.status_code == 201, response.content
    insurance = Insurance.objects.get(pk=response.json()["insurance_id"])
    assert (insurance.worker, insurance.insurer) == (certificate.worker, partner.name)
    assert audit_entries(insurance).get().data["actor"]["id"] == partner.pk
    duplicate = post(api, "/insurance-policies", token, body, key="another")
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["pointer"] == "#/policy_number"
    backwards = {**body, "policy_number": "PZHA2026310100002", "end_date": _days(-3)}
    response = post(api, "/insurance-policies", token, backwards, key="third")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/end_date"
    assert Insurance.objects.count() == 1
