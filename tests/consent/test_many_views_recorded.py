"""Many views recorded at once (a partner's snapshot) are the same rows as one by one."""

import pytest

from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record_many
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_one_row_a_worker_named_by_the_partner_without_the_address(rf):
    workers = WorkerFactory.create_batch(3)
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    count = worker_views_record_many(
        worker_ids=[w.pk for w in workers] + [workers[0].pk],
        kind=WorkerView.Kind.PARTNER_API,
        viewer_kind=ViewerKind.PARTNER,
        viewer_label="商务部家政平台",
        request=request,
    )
    assert count == 3
    rows = list(WorkerView.objects.order_by("worker_id"))
    assert [r.worker_id for r in rows] == sorted(w.pk for w in workers)
    assert {(r.kind, r.viewer_kind, r.viewer_label) for r in rows} == {
        (WorkerView.Kind.PARTNER_API, ViewerKind.PARTNER, "商务部家政平台")
    }
    assert all(r.client_hash and "203.0.113.9" not in r.client_hash for r in rows)
    assert len({r.viewed_at for r in rows}) == 1


def test_nothing_to_record_writes_nothing():
    assert worker_views_record_many(worker_ids=[], kind="x", viewer_kind="y", viewer_label="") == 0
    assert not WorkerView.objects.exists()
