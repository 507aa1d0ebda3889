"""A view the worker does not recognise goes to the district regulator as an early warning."""

import pytest

from consent.models import WorkerView
from consent.services import worker_views_record
from dashboards.models import SupervisionWarning

pytestmark = pytest.mark.django_db


def test_a_reported_view_opens_one_warning_for_the_workers_district(
    worker, worker_client, django_capture_on_commit_callbacks
):
    (view,) = worker_views_record(workers=[worker], kind=WorkerView.Kind.LOOKUP)
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post(f"/me/views/{view.pk}/report/")
    assert response.status_code == 302
    warning = SupervisionWarning.objects.get(rule=SupervisionWarning.Rule.VIEW_REPORTED)
    assert warning.district == worker.agency.district and warning.worker_id == worker.pk
    assert warning.subject_label == "王*华"
    # A second report of the same view changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        worker_client.post(f"/me/views/{view.pk}/report/")
    assert (
        SupervisionWarning.objects.filter(rule=SupervisionWarning.Rule.VIEW_REPORTED).count() == 1
    )
    assert "已举报" in worker_client.get("/me/views/").content.decode()


def test_a_worker_cannot_report_another_workers_view(worker, worker_client):
    from tests.registry.factories import ApprovedWorkerFactory

    other = ApprovedWorkerFactory()
    (view,) = worker_views_record(workers=[other], kind=WorkerView.Kind.LOOKUP)
    worker_client.post(f"/me/views/{view.pk}/report/")
    view.refresh_from_db()
    assert view.reported_at is None
    assert not SupervisionWarning.objects.exists()
