"""An agency's own system reads its own agency's workers only: another's is a 404, the
same answer as for a card nobody holds."""

import pytest

from tests.partners.conftest import AgencySystemFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(token_for):
    partner = AgencySystemFactory()
    return partner, token_for(partner)


def test_its_own_worker_is_answered(system, api):
    partner, token = system
    own = ApprovedWorkerFactory(agency=partner.agency)
    response = api("get", f"/workers/by-card/{own.card_number}", token)
    assert response.status_code == 200
    assert response.json()["agency"]["credit_code"] == partner.agency.credit_code


def test_another_agencys_worker_is_not_found(system, api):
    _partner, token = system
    foreign = ApprovedWorkerFactory()
    response = api("get", f"/workers/by-card/{foreign.card_number}", token)
    missing = api("get", "/workers/by-card/SHJZ99999999", token)
    assert response.status_code == missing.status_code == 404
    assert response.json()["type"] == missing.json()["type"]
    assert foreign.agency.name not in response.content.decode()
