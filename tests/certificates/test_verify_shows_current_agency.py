"""A certificate follows the person: after a move, verification names the agency they work for now."""

import pytest

from registry.models import Filing
from registry.services.filings import filing_withdraw
from registry.services.workers import worker_create
from tests.certificates.factories import issue
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def test_the_verify_page_and_api_name_the_current_agency(client):
    worker = ApprovedWorkerFactory(agency=AgencyFactory(name="上海旧东家家政有限公司"))
    certificate = issue(worker=worker)
    old = Filing.objects.get(worker=worker, is_current=True)
    filing_withdraw(filing=old, acting_user=reviewer_user(), reason="本人离职")
    staff = AgencyStaffFactory(agency=AgencyFactory(name="上海新东家家政有限公司"))
    worker_create(
        name=worker.name, id_number=worker.id_number, agency=staff.agency, acting_user=staff.user
    )

    answer = client.get(f"/api/v1/verify/{certificate.token}").json()
    assert answer["agency"] == "上海新东家家政有限公司"
    page = client.get(f"/v/{certificate.token}/").content.decode()
    assert "上海新东家家政有限公司" in page and "上海旧东家家政有限公司" not in page
