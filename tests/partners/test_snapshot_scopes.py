"""Each section of the snapshot needs its scope; a section outside them is refused before
anything streams."""

import pytest

from tests.certificates.factories import issue

from .conftest import PartnerFactory
from .test_snapshot_stream import lines, snapshot

pytestmark = pytest.mark.django_db

NEEDS = {
    "workers": "workers:read",
    "certificates": "certificates:read",
    "agencies": "credit:read",
    "credit_records": "credit:read",
}
ALL = "workers:read certificates:read credit:read"


@pytest.fixture(autouse=True)
def data():
    issue()


@pytest.mark.parametrize("section", list(NEEDS))
def test_a_section_streams_with_its_scope(token_for, section):
    partner = PartnerFactory(scope=NEEDS[section])
    response = snapshot(token_for(partner), sections=section)
    assert response.status_code == 200
    got = lines(response)
    assert got[0]["snapshot"]["sections"] == [section]
    assert {line["section"] for line in got[1:-1]} <= {section}


@pytest.mark.parametrize("section", list(NEEDS))
def test_a_section_without_its_scope_is_refused(token_for, section):
    others = " ".join(s for s in ALL.split() if s != NEEDS[section])
    partner = PartnerFactory(scope=others)
    response = snapshot(token_for(partner), sections=f"{section},agencies")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/insufficient-scope")
    assert NEEDS[section] in response["WWW-Authenticate"]


def test_a_scope_the_token_was_not_given_is_refused_too(token_for):
    partner = PartnerFactory(scope=ALL)
    response = snapshot(token_for(partner, scope="credit:read"), sections="workers")
    assert response.status_code == 403


def test_without_sections_the_scopes_decide(token_for):
    partner = PartnerFactory(scope="certificates:read credit:read")
    got = lines(snapshot(token_for(partner)))
    assert got[0]["snapshot"]["sections"] == ["agencies", "certificates", "credit_records"]


def test_a_token_reading_nothing_of_it_is_refused(token_for):
    partner = PartnerFactory(scope="changes:read")
    response = snapshot(token_for(partner))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/insufficient-scope")


def test_an_unknown_section_is_invalid(token_for):
    response = snapshot(token_for(PartnerFactory()), sections="workers,photos")
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "sections"


def test_no_token_is_unauthenticated():
    from django.test import Client

    assert Client().get("/api/v1/snapshot").status_code == 401
