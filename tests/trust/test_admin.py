"""Staff screens: agencies enter insurance for their own workers; regulators moderate."""

import datetime

from django.utils import timezone

import pytest

from registry.models import CreditRecord, Insurance, VisitRating
from registry.services.visits import rating_submit
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(green_worker):
    return AgencyStaffFactory(agency=green_worker.agency).user


def _insurance_post(worker):
    today = timezone.localdate()
    return {
        "worker": worker.pk,
        "insurer": "中国人保财险上海分公司",
        "policy_number": "PICC20260001234",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=365)).isoformat(),
    }


def test_agency_staff_enter_insurance_for_their_own_workers(
    client, login_staff, staff, green_worker
):
    login_staff(client, staff)
    response = client.post("/admin/registry/insurance/add/", _insurance_post(green_worker))
    assert response.status_code == 302
    insurance = Insurance.objects.get(insurer="中国人保财险上海分公司")
    assert insurance.entered_by == staff
    listing = client.get("/admin/registry/insurance/")
    assert listing.status_code == 200
    assert "**********1234" in listing.content.decode()
    assert "PICC20260001234" not in listing.content.decode()


def test_agency_staff_cannot_pick_another_agencys_worker(client, login_staff, staff):
    stranger = ApprovedWorkerFactory()
    login_staff(client, staff)
    response = client.post("/admin/registry/insurance/add/", _insurance_post(stranger))
    assert response.status_code == 200
    assert not Insurance.objects.filter(worker=stranger).exists()


def test_agencies_see_their_workers_ratings_but_cannot_moderate(
    client, login_staff, staff, green_worker
):
    _visit, token = factories.visit(green_worker)
    rating = rating_submit(token=token, stars=2, comment="态度一般")
    login_staff(client, staff)
    assert "态度一般" in client.get("/admin/registry/ratings/").content.decode()
    # Wagtail answers a refused admin view with a redirect to the dashboard.
    assert client.get(f"/admin/registry/ratings/{rating.pk}/moderate/").status_code in (302, 403)
    client.post(f"/admin/registry/ratings/{rating.pk}/moderate/", {"decision": "approve"})
    assert VisitRating.objects.get().status == VisitRating.Status.PENDING


def test_regulators_work_the_moderation_queue(client, login_staff, regulator, green_worker):
    _visit, token = factories.visit(green_worker)
    rating = rating_submit(token=token, stars=1, comment="偷拿雇主物品")
    login_staff(client, regulator)
    assert "偷拿雇主物品" in client.get("/admin/registry/ratings/").content.decode()
    url = f"/admin/registry/ratings/{rating.pk}/moderate/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "escalate", "kind": "violation", "note": ""})
    assert response.status_code == 302
    record = CreditRecord.objects.get(worker=green_worker)
    assert record.kind == CreditRecord.Kind.VIOLATION
    assert VisitRating.objects.get().credit_record == record
