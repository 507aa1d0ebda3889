import pytest
from stdnum.cn import ric, uscc

from registry.models import Filing, FilingStatus, FilingTransition
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    CreditRecordFactory,
    EmploymentFactory,
    RegulatorFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db


def test_agency_factory_makes_valid_credit_codes():
    assert uscc.is_valid(AgencyFactory().credit_code)


def test_worker_factory_stores_a_valid_encrypted_id_number():
    worker = WorkerFactory()
    assert ric.is_valid(worker.id_number)
    assert worker.id_number not in worker.id_number_encrypted
    assert Filing.objects.get(worker=worker).status == FilingStatus.SUBMITTED


def test_approved_worker_factory_has_a_card_and_a_full_history():
    worker = ApprovedWorkerFactory()
    assert worker.card_number
    steps = list(
        FilingTransition.objects.filter(filing__worker=worker).values_list("to_status", flat=True)
    )
    assert steps == ["submitted", "under_review", "approved"]


@pytest.mark.parametrize("status", list(FilingStatus.values))
def test_worker_factory_reaches_every_status(status):
    worker = WorkerFactory(status=status)
    assert Filing.objects.get(worker=worker).status == status


def test_other_factories_build_rows():
    assert EmploymentFactory().end_date is None
    assert CreditRecordFactory().worker is not None
    staff = AgencyStaffFactory()
    assert staff.user.is_staff and staff.user.groups.filter(name="Agency staff").exists()
    assert RegulatorFactory().user.groups.filter(name="District regulators").exists()
