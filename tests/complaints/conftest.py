import pytest

from lms.notifications import ConsoleSMSBackend
from tests.registry.factories import AgencyStaffFactory, RegulatorFactory


@pytest.fixture(autouse=True)
def outbox(settings):
    """The console backend's outbox, empty at the start of each test."""
    settings.SMS_BACKEND = "lms.notifications.ConsoleSMSBackend"
    ConsoleSMSBackend.outbox.clear()
    yield ConsoleSMSBackend.outbox
    ConsoleSMSBackend.outbox.clear()


@pytest.fixture
def xuhui_regulator(db):
    return RegulatorFactory(district="xuhui").user


@pytest.fixture
def pudong_regulator(db):
    return RegulatorFactory(district="pudong").user


@pytest.fixture
def city_regulator(db):
    return RegulatorFactory(district="").user


@pytest.fixture
def agency_staff_of():
    def make(agency):
        return AgencyStaffFactory(agency=agency).user

    return make
