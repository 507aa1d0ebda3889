import pytest

from registry.models import District
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    BranchFactory,
    RegulatorFactory,
)

from .factories import Stage


@pytest.fixture
def agency(db):
    return AgencyFactory(name="甲家政服务有限公司", district=District.XUHUI)


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="乙家政服务有限公司", district=District.PUDONG)


@pytest.fixture
def branch(agency):
    return BranchFactory(agency=agency, name="徐家汇店")


@pytest.fixture
def staff(agency):
    return AgencyStaffFactory(agency=agency).user


@pytest.fixture
def branch_staff(agency, branch):
    return AgencyStaffFactory(agency=agency, branch=branch).user


@pytest.fixture
def other_staff(other_agency):
    return AgencyStaffFactory(agency=other_agency).user


@pytest.fixture
def stage(agency):
    return Stage(agency)


@pytest.fixture
def other_stage(other_agency):
    return Stage(other_agency)


@pytest.fixture
def staff_client(client, staff, login_staff):
    return login_staff(client, staff)


@pytest.fixture
def city_regulator(db):
    return RegulatorFactory(district="").user


@pytest.fixture
def district_regulator(db):
    return RegulatorFactory(district=District.XUHUI).user


@pytest.fixture
def funnel_data(stage):
    """One worker of agency A per stage, by name."""
    names = [
        "filed",
        "returned",
        "approved",
        "enrolled",
        "completed",
        "failed",
        "passed",
        "certified",
        "expiring",
        "expired",
    ]
    return {name: stage.worker(name) for name in names}
