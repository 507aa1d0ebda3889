"""No refusal tells an agency the name, credit code or filing number of another agency's filing.

Covered: the service (every refusal of a known ID number), the admin's single
filing screen, and a roster row (its stored error, the error report and the
roster page). There is no filing API yet.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from registry.models import Filing, RosterImport
from registry.services.common import transfer_refusal_message
from registry.services.employment import employment_start
from registry.services.workers import worker_create
from tests.registry.factories import (
    AgencyFactory,
    ApprovedWorkerFactory,
    EmploymentFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db

OTHER_NAME = "上海保密家政服务有限公司"


@pytest.fixture
def held_worker():
    """A worker another agency still employs (open employment, approved filing)."""
    worker = ApprovedWorkerFactory(agency=AgencyFactory(name=OTHER_NAME))
    EmploymentFactory(worker=worker)
    return worker


def assert_names_no_other_agency(text: str, worker) -> None:
    filing = Filing.objects.get(worker=worker, is_current=True)
    assert OTHER_NAME not in text
    assert worker.agency.credit_code not in text
    assert "备案编号" not in text and "备案机构" not in text
    assert f"#{filing.pk}" not in text and f"编号 {filing.pk}" not in text


def _refusal(callable_) -> str:
    with pytest.raises(ValidationError) as exc:
        callable_()
    return " ".join(exc.value.messages)


def test_service_refusals_name_no_other_agency(held_worker):
    other = AgencyFactory()
    messages = [
        # Still employed elsewhere.
        _refusal(
            lambda: worker_create(
                name=held_worker.name, id_number=held_worker.id_number, agency=other
            )
        ),
        # A different name on a known ID number.
        _refusal(
            lambda: worker_create(name="某某某", id_number=held_worker.id_number, agency=other)
        ),
        # Filed without an agency (no transfer possible).
        _refusal(lambda: worker_create(name=held_worker.name, id_number=held_worker.id_number)),
        # Starting an employment while another agency's is open.
        _refusal(
            lambda: employment_start(
                worker=held_worker, agency=other, start_date=held_worker.created_at.date()
            )
        ),
    ]
    for message in messages:
        assert_names_no_other_agency(message, held_worker)
    # The filing number of the held filing is nowhere, not even as a bare digit.
    assert not any(ch.isdigit() for ch in "".join(messages[:3]))


def test_a_live_filing_elsewhere_is_refused_naming_no_one():
    worker = WorkerFactory(agency=AgencyFactory(name=OTHER_NAME))
    message = _refusal(
        lambda: worker_create(name=worker.name, id_number=worker.id_number, agency=AgencyFactory())
    )
    assert message == transfer_refusal_message()
    assert_names_no_other_agency(message, worker)


def test_single_filing_screen_names_no_other_agency(client, staff_a, held_worker):
    response = client.post(
        reverse("registry_admin:worker_file"),
        {"name": held_worker.name, "id_number": held_worker.id_number},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert transfer_refusal_message() in html
    assert_names_no_other_agency(html, held_worker)


def test_roster_row_names_no_other_agency(client, staff_a, held_worker):
    content = f"姓名,身份证号\n{held_worker.name},{held_worker.id_number}\n".encode()
    client.post(
        reverse("registry_admin:roster_upload"),
        {"file": SimpleUploadedFile("roster.csv", content)},
    )
    roster = RosterImport.objects.get()
    assert roster.created_count == 0 and roster.error_count == 1
    messages = " ".join(e["message"] for e in roster.errors)
    assert transfer_refusal_message() in messages
    assert_names_no_other_agency(messages, held_worker)
    report = client.get(reverse("registry_admin:roster_errors", args=[roster.pk]))
    assert_names_no_other_agency(b"".join(report).decode("utf-8-sig", "replace"), held_worker)
    page = client.get(reverse("registry_admin:roster_detail", args=[roster.pk]))
    assert_names_no_other_agency(page.content.decode(), held_worker)
    # The refused row is kept as a request the worker can confirm.
    assert held_worker.transfer_requests.get().agency == staff_a.agency
