"""Each write needs its scope: allowed with it, refused (403, nothing written, logged)
without it, and never reached without a token (401)."""

import pytest

from partners.models import Partner, PartnerCall
from registry.models import CreditRecord, Insurance, Worker
from tests.partners.conftest import AgencySystemFactory, PartnerFactory
from tests.partners.test_write_idempotency import filing, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def writes(certificate):
    worker = certificate.worker
    card = worker.card_number
    return {
        "worker_file": ("workers:write", "/workers", filing()),
        "credit_record_create": (
            "credit:write",
            "/credit-records",
            {
                "worker_card_number": card,
                "kind": "commendation",
                "occurred_on": "2026-01-05",
                "description": "表现优秀",
            },
        ),
        "health_check_record": (
            "health:write",
            "/health-checks",
            {
                "card_number": card,
                "health_check_date": "2026-01-05",
                "health_check_expiry": "2027-01-04",
            },
        ),
        "insurance_record": (
            "insurance:write",
            "/insurance-policies",
            {
                "card_number": card,
                "insurer": "平安保险",
                "policy_number": "PA20260001",
                "start_date": "2026-01-05",
                "end_date": "2027-01-04",
            },
        ),
    }


def _partner(scope):
    if scope == "workers:write":
        return AgencySystemFactory(scope=scope)
    return PartnerFactory(kind=Partner.Kind.GOVERNMENT, scope=scope)


def _written():
    return (Worker.objects.count(), CreditRecord.objects.count(), Insurance.objects.count())


@pytest.mark.parametrize(
    "endpoint", ["worker_file", "credit_record_create", "health_check_record", "insurance_record"]
)
def test_a_write_is_allowed_with_its_scope_only(api, token_for, writes, endpoint):
    scope, path, body = writes[endpoint]
    others = [s for s, _p, _b in writes.values() if s != scope]
    before = _written()
    for other in others:
        response = post(api, path, token_for(_partner(f"{other} workers:read")), body)
        assert response.status_code == 403, (endpoint, other)
        assert response.json()["type"].endswith("/insufficient-scope")
    assert _written() == before
    refused = PartnerCall.objects.filter(endpoint=endpoint, status=403)
    assert refused.count() == len(others)
    assert post(api, path, None, body).status_code == 401
    response = post(api, path, token_for(_partner(scope)), body)
    assert response.status_code == 201, response.content


def test_the_scope_check_comes_before_the_key(api, token_for, writes):
    _scope, path, body = writes["credit_record_create"]
    response = post(api, path, token_for(_partner("credit:read")), body, key=None)
    assert response.status_code == 403
