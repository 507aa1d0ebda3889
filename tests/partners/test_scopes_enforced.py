"""Every lookup answers with the scope it needs and refuses (403, problem details) without it."""

import pytest

from partners.models import Scope
from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db

ALL = [s.value for s in Scope]
#: What each operation needs (the lookups fixture says the same, checked below).
NEEDS = {
    "certificate_by_number": ["certificates:read"],
    "certificate_by_token": ["certificates:read"],
    "worker_by_card": ["workers:read"],
    "worker_by_id_number": ["workers:read", "pii:read"],
    "agency_by_credit_code": ["credit:read"],
}


def _purpose(kwargs, needed):
    if "pii:read" in needed and "data" not in kwargs:
        return {**kwargs, "QUERY_STRING": "purpose=test"}
    return kwargs


@pytest.mark.parametrize("operation", sorted(NEEDS))
def test_allowed_with_its_scopes(operation, lookups, token_for, api):
    method, path, kwargs, needed = lookups[operation]
    partner = PartnerFactory(scope=" ".join(needed))
    token = token_for(partner, scope=" ".join(needed))
    response = api(method, path, token, **kwargs)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("operation", "missing"),
    [(operation, scope) for operation, scopes in NEEDS.items() for scope in scopes],
)
def test_refused_without_each_scope_it_needs(operation, missing, lookups, token_for, api):
    method, path, kwargs, needed = lookups[operation]
    assert needed == NEEDS[operation]
    # Every other scope there is, so only the missing one explains the refusal.
    granted = [s for s in ALL if s != missing and s not in ("workers:write",)]
    partner = PartnerFactory(scope=" ".join(granted))
    token = token_for(partner, scope=" ".join(granted))
    response = api(method, path, token, **_purpose(kwargs, granted))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/insufficient-scope")
    assert missing in response["WWW-Authenticate"]


@pytest.mark.parametrize("operation", sorted(NEEDS))
def test_a_narrowed_partner_loses_the_scope_on_tokens_already_issued(
    operation, lookups, token_for, api
):
    method, path, kwargs, needed = lookups[operation]
    partner = PartnerFactory(scope=" ".join(needed))
    token = token_for(partner, scope=" ".join(needed))
    partner.scope = ""
    partner.save()
    assert api(method, path, token, **kwargs).status_code == 403


def test_a_token_never_carries_more_than_the_partner_holds(credentials):
    from tests.partners.conftest import exchange

    partner = PartnerFactory(scope="certificates:read")
    client_id, secret = credentials(partner)
    assert exchange(client_id, secret, "workers:read").json()["error"] == "invalid_scope"
    granted = exchange(client_id, secret).json()
    assert granted["scope"] == "certificates:read"
    assert granted["expires_in"] == 600


def test_pii_read_is_granted_only_when_asked_for(credentials):
    from tests.partners.conftest import exchange

    partner = PartnerFactory(scope="workers:read pii:read")
    client_id, secret = credentials(partner)
    assert exchange(client_id, secret).json()["scope"] == "workers:read"
    assert exchange(client_id, secret, "workers:read pii:read").json()["scope"] == (
        "workers:read pii:read"
    )
