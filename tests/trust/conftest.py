import datetime

from django.utils import timezone

import pytest

from lms.accounts.roles import Role
from tests.lms.factories import UserFactory, WorkerUserFactory
from tests.registry.conftest import trace_page  # noqa: F401  (fixture)
from tests.registry.factories import ApprovedWorkerFactory, RegulatorFactory

from . import factories

ID_PATTERN = r"\d{17}[\dXx]"
PHONE_PATTERN = r"1[3-9]\d{9}"


@pytest.fixture
def green_worker(db):
    """Everything in order: filing approved, certificate, health check and insurance valid."""
    worker = ApprovedWorkerFactory(
        name="王丽华",
        phone="13912345678",
        user=WorkerUserFactory(),
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200),
    )
    factories.insurance(worker)
    return worker


@pytest.fixture
def green_certificate(green_worker):
    return factories.certificate(green_worker)


@pytest.fixture
def regulator(db):
    """A city regulator (may moderate everywhere)."""
    return RegulatorFactory(district="").user


@pytest.fixture
def agency_staff_user(db):
    return UserFactory(username="plain-staff", is_staff=True, roles=[Role.AGENCY_STAFF])
