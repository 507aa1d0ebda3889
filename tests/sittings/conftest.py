import pytest

from tests.lms.factories import StaffUserFactory
from tests.sittings.factories import ProctorFactory, SittingFactory


@pytest.fixture
def sitting(db):
    """A sitting open now at a 30-seat station (10.20.0.0/24), five questions drawn."""
    return SittingFactory()


@pytest.fixture
def proctor(sitting):
    return sitting.proctor


@pytest.fixture
def regulator(db):
    """A city regulator: manages every station and sitting."""
    from lms.accounts.roles import Role

    return StaffUserFactory(roles=[Role.CITY_REGULATOR])


@pytest.fixture
def other_proctor(db):
    return ProctorFactory()
