"""Staff screens in the Wagtail admin: scoped lists, downloads, ZIP, revoke, reissue, bulk."""

import io
import zipfile

import pytest

from certificates.models import Certificate, CertificateBatch
from lms.accounts.roles import Role
from tests.certificates.factories import issue
from tests.lms.factories import UserFactory
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory, RegulatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies(cert_type, django_capture_on_commit_callbacks):
    """One certificate for a worker of agency A, one for agency B."""
    with django_capture_on_commit_callbacks(execute=True):
        mine = issue(cert_type, worker=ApprovedWorkerFactory())
        theirs = issue(cert_type, worker=ApprovedWorkerFactory())
    return mine, theirs


@pytest.fixture
def staff_of_a(two_agencies):
    mine, _theirs = two_agencies
    return AgencyStaffFactory(agency=mine.worker.agency).user


@pytest.fixture
def city_regulator(db):
    return RegulatorFactory(district="").user


def test_agency_staff_list_shows_only_their_workers(client, login_staff, staff_of_a, two_agencies):
    mine, theirs = two_agencies
    login_staff(client, staff_of_a)
    response = client.get("/admin/certificates/certificates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.number in html and theirs.number not in html


def test_agency_staff_download_of_another_agencys_certificate_is_404(
    client, login_staff, staff_of_a, two_agencies
):
    mine, theirs = two_agencies
    login_staff(client, staff_of_a)
    ok = client.get(f"/admin/certificates/certificates/{mine.pk}/file/pdf/")
    assert ok.status_code == 200
    for kind in ("pdf", "card"):
        url = f"/admin/certificates/certificates/{theirs.pk}/file/{kind}/"
        assert client.get(url).status_code == 404
    assert client.get(f"/admin/certificates/certificates/inspect/{theirs.pk}/").status_code == 404


def test_agency_zip_holds_only_their_current_certificates(
    client, login_staff, staff_of_a, two_agencies, cert_type, django_capture_on_commit_callbacks
):
    mine, theirs = two_agencies
    with django_capture_on_commit_callbacks(execute=True):
        second = issue(cert_type, worker=ApprovedWorkerFactory(agency=mine.worker.agency))
    login_staff(client, staff_of_a)
    page = client.get("/admin/certificates/certificates/zip/")
    assert page.status_code == 200
    response = client.get("/admin/certificates/certificates/zip/", {"download": "1"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 4
    assert any(n.startswith(mine.number) for n in names)
    assert any(n.startswith(second.number) for n in names)
    assert not any(n.startswith(theirs.number) for n in names)
    assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_agency_staff_cannot_revoke(client, login_staff, staff_of_a, two_agencies):
    mine, _theirs = two_agencies
    login_staff(client, staff_of_a)
    url = f"/admin/certificates/certificates/{mine.pk}/revoke/"
    assert client.post(url, {"reason": "试试"}).status_code in (
        302,
        403,
    )  # Wagtail: back to /admin/
    mine.refresh_from_db()
    assert mine.revoked_at is None


def test_regulator_revokes_with_a_reason(client, login_staff, city_regulator, two_agencies):
    mine, _theirs = two_agencies
    login_staff(client, city_regulator)
    url = f"/admin/certificates/certificates/{mine.pk}/revoke/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200  # form error, nothing revoked
    response = client.post(url, {"reason": "虚假培训记录"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_reason == "虚假培训记录" and mine.revoked_by == city_regulator


def test_regulator_reissues(client, login_staff, city_regulator, two_agencies):
    mine, _theirs = two_agencies
    login_staff(client, city_regulator)
    response = client.post(
        f"/admin/certificates/certificates/{mine.pk}/reissue/", {"reason": "卡片遗失"}
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(number=mine.number, revision=2).exists()


def test_certificates_cannot_be_added_or_edited_as_rows(client, login_staff):
    admin = UserFactory(is_superuser=True, is_staff=True)
    login_staff(client, admin)
    assert client.get("/admin/certificates/certificates/new/").status_code in (302, 403)


def test_bulk_issue_form_starts_a_batch(
    client, login_staff, city_regulator, cert_type, django_capture_on_commit_callbacks
):
    login_staff(client, city_regulator)
    assert client.get("/admin/certificates/batches/issue/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/certificates/batches/issue/", {"type": cert_type.pk})
    assert response.status_code == 302
    assert CertificateBatch.objects.get().state == CertificateBatch.State.DONE
    listing = client.get("/admin/certificates/batches/")
    assert listing.status_code == 200


def test_type_admin_and_regenerate(client, login_staff, city_regulator, two_agencies):
    mine, _theirs = two_agencies
    login_staff(client, city_regulator)
    assert client.get("/admin/certificates/types/").status_code == 200
    assert client.get(f"/admin/certificates/types/edit/{mine.type_id}/").status_code == 200
    url = f"/admin/certificates/types/{mine.type_id}/regenerate/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302


def test_a_worker_login_cannot_reach_staff_downloads(client, two_agencies):
    mine, _theirs = two_agencies
    client.force_login(UserFactory(roles=[Role.WORKER]))
    response = client.get(f"/admin/certificates/certificates/{mine.pk}/file/pdf/")
    assert response.status_code in (302, 403, 404)
