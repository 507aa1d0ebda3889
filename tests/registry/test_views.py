"""The worker's own record page (/me/record/)."""

from django.urls import reverse

import pytest

from registry.models import FilingStatus
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import (
    ApprovedWorkerFactory,
    CreditRecordFactory,
    EmploymentFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db


def test_record_page_needs_a_login(client):
    response = client.get(reverse("registry:my_record"))
    assert response.status_code == 302


def test_a_login_without_a_filed_worker_gets_404(client, login_worker):
    login_worker(client, WorkerUserFactory())
    assert client.get(reverse("registry:my_record")).status_code == 404


def test_worker_sees_own_filing_card_employment_and_credit(client, login_worker):
    login = WorkerUserFactory()
    worker = ApprovedWorkerFactory(user=login, name="张小红")
    EmploymentFactory(worker=worker)
    CreditRecordFactory(worker=worker, kind="commendation", description="雇主表扬信")
    CreditRecordFactory(worker=worker, kind="complaint", is_public=False, description="内部核查中")
    login_worker(client, login)
    html = client.get(reverse("registry:my_record")).content.decode()
    assert "张小红" in html
    assert worker.card_number in html
    assert worker.masked_id_number in html
    assert worker.id_number not in html
    assert worker.agency.name in html
    assert "雇主表扬信" in html and "内部核查中" not in html
    assert 'worker-nav__link worker-nav__link--active" href="/me/record/"' in html


def test_returned_filing_shows_the_reason(client, login_worker):
    login = WorkerUserFactory()
    WorkerFactory(user=login, status=FilingStatus.RETURNED)
    login_worker(client, login)
    html = client.get(reverse("registry:my_record")).content.decode()
    assert "照片不清晰" in html
    assert "尚未发卡" in html


def test_record_page_query_count(client, login_worker, django_assert_max_num_queries):
    login = WorkerUserFactory()
    worker = ApprovedWorkerFactory(user=login)
    for _ in range(3):
        EmploymentFactory(worker=worker, start_date="2018-01-01", end_date="2018-06-01")
        CreditRecordFactory(worker=worker)
    login_worker(client, login)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("registry:my_record")).status_code == 200
