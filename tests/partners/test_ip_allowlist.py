"""A partner with an allowlist is answered only from its addresses (the client address
counted from the right of X-Forwarded-For, as everywhere on the site)."""

import pytest

from tests.partners.conftest import PartnerFactory, exchange

pytestmark = pytest.mark.django_db


def test_calls_from_elsewhere_are_refused(token_for, api):
    partner = PartnerFactory(allowed_networks="127.0.0.0/8")
    token = token_for(partner)
    assert api("get", "/me", token).status_code == 200
    refused = api("get", "/me", token, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/address-not-allowed")


def test_a_forged_forwarded_for_proves_nothing(settings, api):
    settings.TRUSTED_PROXY_COUNT = 1
    partner = PartnerFactory(allowed_networks="10.1.2.0/24")
    # Tokens are exchanged through the proxy too.
    from partners.services import partner_credential_create

    credential, secret = partner_credential_create(partner=partner)
    via_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.2.7"}
    token = exchange(credential.client_id, secret, **via_proxy).json()["access_token"]
    assert api("get", "/me", token, **via_proxy).status_code == 200
    forged = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.2.7, 198.51.100.4"}
    assert api("get", "/me", token, **forged).status_code == 403


def test_no_token_is_issued_from_elsewhere(credentials):
    partner = PartnerFactory(allowed_networks="10.0.0.0/8")
    client_id, secret = credentials(partner)
    assert exchange(client_id, secret).status_code == 401
    assert exchange(client_id, secret, REMOTE_ADDR="10.9.9.9").status_code == 200
