"""A token with pii:read must state a purpose on every lookup of a person; it is recorded."""

import pytest

from partners.models import PartnerCall
from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db

SCOPES = "certificates:read workers:read pii:read"


@pytest.fixture
def pii_token(token_for):
    return token_for(PartnerFactory(kind="government", scope=SCOPES), scope=SCOPES)


def test_a_lookup_without_purpose_is_refused_naming_the_parameter(certificate, pii_token, api):
    response = api("get", f"/workers/by-card/{certificate.worker.card_number}", pii_token)
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/purpose-required")
    assert body["errors"][0]["parameter"] == "purpose"
    assert certificate.worker.name not in response.content.decode()


def test_an_id_number_lookup_without_purpose_names_the_body_field(certificate, pii_token, api):
    response = api(
        "post",
        "/workers/by-id-number",
        pii_token,
        data={"id_number": certificate.worker.id_number},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/purpose"


def test_the_stated_purpose_is_recorded(certificate, pii_token, api):
    response = api(
        "get",
        f"/certificates/{certificate.number}",
        pii_token,
        data={"purpose": "一网通办证照核验"},
    )
    assert response.status_code == 200
    call = PartnerCall.objects.get(endpoint="certificate_by_number")
    assert (call.purpose, call.subjects, call.status) == ("一网通办证照核验", 1, 200)


def test_without_pii_read_no_purpose_is_needed(certificate, token_for, api):
    token = token_for(PartnerFactory(scope=SCOPES))  # pii:read not asked for
    response = api("get", f"/workers/by-card/{certificate.worker.card_number}", token)
    assert response.status_code == 200
    assert response.json()["masked"] is True


def test_the_id_number_lookup_needs_pii_read(certificate, token_for, api):
    token = token_for(PartnerFactory(scope=SCOPES))
    response = api(
        "post",
        "/workers/by-id-number",
        token,
        data={"id_number": certificate.worker.id_number, "purpose": "核验"},
        content_type="application/json",
    )
    assert response.status_code == 403
