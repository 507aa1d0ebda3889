"""A disabled partner is refused at once: its unexpired tokens and its secrets alike."""

import pytest

from tests.partners.conftest import PartnerFactory, exchange

pytestmark = pytest.mark.django_db


def test_tokens_stop_on_the_next_call(token_for, api):
    partner = PartnerFactory()
    token = token_for(partner)
    assert api("get", "/me", token).status_code == 200
    partner.is_active = False
    partner.save()
    response = api("get", "/me", token)
    assert response.status_code == 401
    assert response.json()["type"].endswith("/partner-disabled")
    partner.is_active = True
    partner.save()
    assert api("get", "/me", token).status_code == 200


def test_no_token_is_issued_to_a_disabled_partner(credentials):
    partner = PartnerFactory(is_active=False)
    client_id, secret = credentials(partner)
    response = exchange(client_id, secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
