"""/me/views/ and the full record take a fixed number of queries, whatever the number of rows."""

import pytest

from consent.models import WorkerView
from consent.services import worker_views_record
from tests.consent.conftest import granted
from tests.trust import factories as trust

pytestmark = pytest.mark.django_db


def _count(django_assert_max_num_queries, client, path, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_views_page_is_a_fixed_number_of_queries(
    worker, worker_client, django_assert_max_num_queries
):
    worker_views_record(workers=[worker], kind=WorkerView.Kind.LOOKUP)
    worker_client.get("/me/views/")  # the first page also warms the shared caches
    few = _count(django_assert_max_num_queries, worker_client, "/me/views/", 10)
    for _ in range(30):
        worker_views_record(workers=[worker], kind=WorkerView.Kind.CERTIFICATE_SCAN)
    assert _count(django_assert_max_num_queries, worker_client, "/me/views/", 10) == few


def test_the_full_record_is_a_fixed_number_of_queries(
    household, worker_client, certificate, worker, django_assert_max_num_queries
):
    granted(household, worker_client, certificate)
    household.get("/consent/record/")  # the first view also warms the shared caches
    few = _count(django_assert_max_num_queries, household, "/consent/record/", 18)
    for stars in (3, 4, 5, 2):
        trust.rating(worker, stars, "准时")
    trust.certificate(worker, expires_in=-10)
    trust.insurance(worker, starts_in=-500, ends_in=-200)
    assert _count(django_assert_max_num_queries, household, "/consent/record/", 18) == few
