"""Agency systems (workers:write) file workers into their own agency and change only their
own agency's workers, through the registry's services: the same checks, the same audit
(naming the partner), the call log; bad input is a problem with pointers and writes nothing."""

import base64
import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from certificates.demo import make_photo_jpeg
from lms.audit import audit_entries
from partners.models import PartnerCall
from registry.models import Employment, Filing, FilingStatus, Worker
from tests.partners.conftest import AgencySystemFactory
from tests.partners.test_write_idempotency import filing, post
from tests.registry.factories import (
    BranchFactory,
    ServiceCategoryFactory,
    WorkerFactory,
    next_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(token_for):
    partner = AgencySystemFactory()
    return partner, token_for(partner)


def test_filing_creates_the_worker_and_submits_the_filing(api, system):
    partner, token = system
    category = ServiceCategoryFactory(code="housework", name="家务服务")
    branch = BranchFactory(agency=partner.agency)
    response = post(
        api,
        "/workers",
        token,
        filing(service_categories=["家务服务"], branch=branch.name, name="李四"),
    )
    assert response.status_code == 201, response.content
    answer = response.json()["worker"]
    worker = Worker.objects.get(pk=answer["id"])
    assert (worker.agency, worker.branch, worker.name) == (partner.agency, branch, "李四")
    assert list(worker.service_categories.all()) == [category]
    assert Filing.objects.get(worker=worker).status == FilingStatus.SUBMITTED
    assert answer["filing_status"] == "submitted"
    assert answer["masked"] is True and answer["name"] != "李四"
    assert answer["door"]["colour"] == "yellow"


def test_the_audit_names_the_partner_and_the_call_is_logged(api, system):
    partner, token = system
    worker_id = post(api, "/workers", token, filing()).json()["worker"]["id"]
    worker = Worker.objects.get(pk=worker_id)
    entry = audit_entries(worker).get(action="registry.worker_create")
    assert entry.user is None
    assert entry.data["actor"]["kind"] == "partner"
    assert entry.data["actor"]["id"] == partner.pk
    assert entry.data["actor"]["name"] == partner.name
    submitted = audit_entries(Filing.objects.get(worker=worker)).get()
    assert submitted.data["actor"]["id"] == partner.pk
    call = PartnerCall.objects.get(partner=partner, endpoint="worker_file")
    assert (call.method, call.scope, call.subjects) == ("POST", "workers:write", 1)


def test_a_bad_check_digit_names_the_field_and_writes_nothing(api, system):
    _partner, token = system
    number = next_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = post(api, "/workers", token, filing(id_number=wrong))
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/invalid-request")
    assert [e["pointer"] for e in body["errors"]] == ["#/id_number"]
    assert not Worker.objects.exists() and not Filing.objects.exists()


def test_a_duplicate_id_number_is_a_conflict_and_writes_nothing(api, system):
    partner, token = system
    existing = WorkerFactory(agency=partner.agency, name="王五")
    before = (Worker.objects.count(), Filing.objects.count())
    response = post(api, "/workers", token, filing(id_number=existing.id_number, name="王五"))
    assert response.status_code == 409
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/id_number"]
    assert (Worker.objects.count(), Filing.objects.count()) == before


def test_several_bad_fields_are_named_by_pointer(api, system):
    _partner, token = system
    response = post(
        api,
        "/workers",
        token,
        {"id_number": 12, "health_check_date": "tomorrow", "agency": "91310000MA1FL0001X"},
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"#/name", "#/id_number", "#/health_check_date", "#/agency"} <= pointers
    assert not Worker.objects.exists()


def test_a_service_refusal_names_its_field(api, system):
    _partner, token = system
    today = timezone.localdate()
    response = post(
        api,
        "/workers",
        token,
        filing(
            health_check_date=today.isoformat(),
            health_check_expiry=(today - datetime.timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/health_check_expiry"]
    assert not Worker.objects.exists()


def test_an_agency_cannot_file_into_another_agency_nor_touch_its_workers(api, system):
    _partner, token = system
    other = WorkerFactory()
    phone = other.phone
    for path, body in (
        (f"/workers/{other.pk}/contact", {"phone": "13800000009"}),
        (f"/workers/{other.pk}/photo", {"photo": base64.b64encode(make_photo_jpeg()).decode()}),
        (f"/workers/{other.pk}/employments", {"start_date": timezone.localdate().isoformat()}),
        (f"/workers/{other.pk}/employments/end", {"end_date": timezone.localdate().isoformat()}),
    ):
        response = post(api, path, token, body, key=path)
        assert response.status_code == 404, path
        assert response.json()["type"].endswith("/not-found")
    other.refresh_from_db()
    assert other.phone == phone and not other.photo
    assert not Employment.objects.filter(worker=other).exists()
    response = post(api, "/workers", token, filing(agency_credit_code=other.agency.credit_code))
    assert response.status_code == 422
    assert Worker.objects.count() == 1


def test_contact_changes_the_phone(api, system):
    partner, token = system
    worker = WorkerFactory(agency=partner.agency)
    response = post(api, f"/workers/{worker.pk}/contact", token, {"phone": "138-0000-0009"})
    assert response.status_code == 201, response.content
    worker.refresh_from_db()
    assert worker.phone == "13800000009"
    assert response.json()["worker"]["phone"] == "138****0009"
    bad = post(api, f"/workers/{worker.pk}/contact", token, {"phone": "12"}, key="k2")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "#/phone"


def test_photo_as_base64_or_multipart_re_encoded(api, system):
    partner, token = system
    worker = WorkerFactory(agency=partner.agency)
    data = base64.b64encode(make_photo_jpeg(1)).decode()
    response = post(api, f"/workers/{worker.pk}/photo", token, {"photo": data})
    assert response.status_code == 201, response.content
    worker.refresh_from_db()
    first = worker.photo.name
    assert first and worker.photo_thumbnail
    upload = SimpleUploadedFile("p.jpg", make_photo_jpeg(2), content_type="image/jpeg")
    response = api(
        "post",
        f"/workers/{worker.pk}/photo",
        token,
        data={"photo": upload},
        HTTP_IDEMPOTENCY_KEY="multipart-1",
    )
    assert response.status_code == 201, response.content
    worker.refresh_from_db()
    assert worker.photo.name != first


def test_a_photo_too_large_is_413_and_not_an_image_is_422(api, system, monkeypatch):
    partner, token = system
    worker = WorkerFactory(agency=partner.agency)
    monkeypatch.setattr("registry.photos.MAX_UPLOAD_BYTES", 1000)
    data = base64.b64encode(make_photo_jpeg(1)).decode()
    response = post(api, f"/workers/{worker.pk}/photo", token, {"photo": data})
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
    response = post(api, f"/workers/{worker.pk}/photo", token, {"photo": "not base64!"}, key="b")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/photo"
    worker.refresh_from_db()
    assert not worker.photo


def test_start_and_end_an_employment(api, system):
    partner, token = system
    worker = WorkerFactory(agency=partner.agency)
    today = timezone.localdate().isoformat()
    response = post(api, f"/workers/{worker.pk}/employments", token, {"start_date": today})
    assert response.status_code == 201, response.content
    employment = Employment.objects.get(worker=worker)
    assert response.json()["employment"] == {
        "id": employment.pk,
        "start_date": today,
        "end_date": None,
    }
    again = post(api, f"/workers/{worker.pk}/employments", token, {"start_date": today}, key="2")
    assert again.status_code == 409
    assert Employment.objects.filter(worker=worker).count() == 1
    response = post(
        api, f"/workers/{worker.pk}/employments/end", token, {"end_date": today}, key="3"
    )
    assert response.status_code == 201, response.content
    employment.refresh_from_db()
    assert employment.end_date == timezone.localdate()
    closed = post(api, f"/workers/{worker.pk}/employments/end", token, {"end_date": today}, key="4")
    assert closed.status_code == 409


def test_a_system_without_an_agency_cannot_file(api, token_for):
    from tests.partners.conftest import PartnerFactory

    partner = PartnerFactory(scope="workers:write")
    response = post(api, "/workers", token_for(partner), filing())
    assert response.status_code == 403
    assert not Worker.objects.exists()
