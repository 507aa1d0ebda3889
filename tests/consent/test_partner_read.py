"""A partner's read of a worker through the partner API is logged under the partner's name."""

import pytest

from consent.models import ViewerKind, WorkerView
from tests.partners.conftest import PartnerFactory, api, credentials, token_for  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_partner_reading_a_worker_by_card_is_in_the_workers_list(
    worker,
    worker_client,
    token_for,  # noqa: F811
    api,  # noqa: F811
):
    partner = PartnerFactory(name="上海市一网通办")
    response = api("get", f"/workers/by-card/{worker.card_number}", token_for(partner))
    assert response.status_code == 200, response.content
    row = WorkerView.objects.get(worker=worker)
    assert row.kind == WorkerView.Kind.PARTNER_API
    assert (row.viewer_kind, row.viewer_label) == (ViewerKind.PARTNER, "上海市一网通办")
    assert "上海市一网通办" in worker_client.get("/me/views/").content.decode()


def test_a_refused_partner_read_is_not_logged(worker, token_for, api):  # noqa: F811
    partner = PartnerFactory(scope="certificates:read")
    assert (
        api("get", f"/workers/by-card/{worker.card_number}", token_for(partner)).status_code == 403
    )
    assert not WorkerView.objects.exists()


def test_a_partner_reading_a_certificate_is_in_its_holders_list(
    worker,
    certificate,
    token_for,  # noqa: F811
    api,  # noqa: F811
):
    partner = PartnerFactory(name="商务部家政平台", scope="certificates:read")
    response = api("get", f"/certificates/by-token/{certificate.token}", token_for(partner))
    assert response.status_code == 200, response.content
    row = WorkerView.objects.get(worker=worker)
    assert (row.kind, row.viewer_label) == (WorkerView.Kind.PARTNER_API, "商务部家政平台")
