"""Every call of the partner API and of its token endpoint is one row of the call log:
partner, operation, scope, purpose, subjects, status, duration, refusals included."""

import pytest

from partners.models import PartnerCall
from tests.partners.conftest import PartnerFactory, exchange

pytestmark = pytest.mark.django_db


def _last():
    return PartnerCall.objects.order_by("-pk").first()


def test_an_answered_lookup(certificate, token_for, api):
    partner = PartnerFactory()
    token = token_for(partner)
    before = PartnerCall.objects.count()
    assert api("get", f"/certificates/{certificate.number}", token).status_code == 200
    assert PartnerCall.objects.count() == before + 1
    call = _last()
    assert call.partner == partner
    assert (call.method, call.endpoint, call.scope, call.status, call.subjects) == (
        "GET",
        "certificate_by_number",
        "certificates:read",
        200,
        1,
    )
    assert call.duration_ms >= 0 and call.client_address == "127.0.0.1"
    assert call.client_id


@pytest.mark.parametrize(
    ("path", "auth", "status", "problem"),
    [
        ("/me", None, 401, "unauthenticated"),
        ("/me", "not-a-token", 401, "unauthenticated"),
        ("/workers/by-card/SHJZ00000001", "token", 403, "insufficient-scope"),
        ("/certificates/SH-XX-2026-999999", "token", 404, "not-found"),
        ("/certificates/no", "token", 422, "invalid-request"),
    ],
)
def test_each_refusal(path, auth, status, problem, token_for, api):
    partner = PartnerFactory(scope="certificates:read")
    token = token_for(partner) if auth == "token" else auth
    before = PartnerCall.objects.count()
    assert api("get", path, token).status_code == status
    assert PartnerCall.objects.count() == before + 1
    call = _last()
    assert (call.status, call.problem) == (status, problem)
    assert call.partner == (partner if auth == "token" else None)


def test_token_requests_refused_or_not(credentials):
    partner = PartnerFactory()
    client_id, secret = credentials(partner)
    exchange(client_id, secret)
    assert (_last().endpoint, _last().status, _last().partner) == ("token", 200, partner)
    exchange(client_id, "wrong")
    assert (_last().status, _last().problem, _last().partner) == (401, "invalid_client", partner)
    exchange("nobody", "wrong")
    assert (_last().status, _last().partner, _last().client_id) == (401, None, "nobody")
