"""A worker with a certificate at the door, a household's phone, and the steps of the consent flow."""

import datetime
import re

from django.test import Client
from django.utils import timezone

import pytest

from registry.models import VisitRating
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import (
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    CreditRecordFactory,
    EmploymentFactory,
)
from tests.trust import factories as trust

ORIGIN = "http://testserver"
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def worker(db):
    """A worker in good standing with a certificate, employment, insurance, a rating and a record."""
    worker = ApprovedWorkerFactory(
        name="王丽华",
        phone="13912345678",
        user=WorkerUserFactory(),
        health_check_date=timezone.localdate() - datetime.timedelta(days=30),
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200),
    )
    EmploymentFactory(worker=worker, agency=worker.agency)
    trust.insurance(worker, number="PICC2026000123")
    rating = trust.rating(worker, 5, "做事细心，很准时")
    # Moderated: only an approved comment is shown (as on the public trace).
    VisitRating.objects.filter(pk=rating.pk).update(
        status=VisitRating.Status.APPROVED, moderated_at=timezone.now()
    )
    trust.rating(worker, 2, "未审核的评论不显示")
    CreditRecordFactory(worker=worker, kind="commendation", description="年度优秀服务员")
    return worker


@pytest.fixture
def certificate(worker):
    return trust.certificate(worker)


@pytest.fixture
def household():
    """The household's phone: its own browser, no login."""
    return Client(HTTP_ORIGIN=ORIGIN)


@pytest.fixture
def worker_client(client, login_worker, worker):
    return login_worker(client, worker.user)


@pytest.fixture
def agency_staff(db):
    """Staff of an agency that does not employ the worker."""
    return AgencyStaffFactory().user


def ask(household, certificate):
    """The household presses 请服务员授权查看完整档案 on the masked page."""
    return household.post("/consent/ask/", {"certificate": certificate.token})


def approve(worker_client, consent_request, hours=1):
    return worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": hours}
    )


def granted(household, worker_client, certificate, hours=1):
    """Ask, approve, collect: the household's client ends up holding the grant cookie."""
    from consent.models import ConsentRequest

    assert ask(household, certificate).status_code == 302
    consent_request = ConsentRequest.objects.latest("pk")
    assert approve(worker_client, consent_request, hours).status_code == 302
    response = household.get("/consent/wait/")
    assert response.status_code == 302 and response["Location"] == "/consent/record/"
    return consent_request
