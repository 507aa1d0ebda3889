"""A snapshot is one call in the call log, written when the stream ends (cut or not), with
the records streamed; the workers it shows go to their view log (#26)."""

from django.db import connection

import pytest

from consent.models import WorkerView
from partners.models import PartnerCall
from tests.certificates.factories import issue
from tests.registry.factories import WorkerFactory

from .conftest import PartnerFactory
from .test_snapshot_stream import lines, snapshot

pytestmark = pytest.mark.django_db


def cut(response):
    """Close a streaming answer halfway, as the server does when the client goes away,
    keeping the test's database connection (as the test client does at a stream's end)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_one_call_with_the_records_streamed(token_for):
    worker = issue().worker
    WorkerFactory()
    partner = PartnerFactory()
    response = snapshot(token_for(partner), sections="workers,certificates")
    assert not PartnerCall.objects.filter(endpoint="snapshot").exists()  # not before the end
    got = lines(response)
    call = PartnerCall.objects.get(endpoint="snapshot")
    assert call.partner == partner
    assert call.status == 200
    assert call.problem == ""
    assert call.subjects == len(got) - 2 == 3
    assert call.scope == "certificates:read workers:read"
    views = WorkerView.objects.filter(kind=WorkerView.Kind.PARTNER_API, viewer_label=partner.name)
    # Each worker once for its record, and the certificate's holder once more.
    assert sorted(views.values_list("worker_id", flat=True)) == sorted(
        [
            worker.pk,
            worker.pk,
            *WorkerView.objects.exclude(worker=worker).values_list("worker_id", flat=True),
        ]
    )
    assert views.count() == 3


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="closing a stream halfway in the test client closes the PostgreSQL test connection; "
    "the cut over real HTTP is checked on PostgreSQL by benchmarks/partners_snapshot.py",
)
def test_a_cut_stream_is_recorded_with_what_was_sent(settings, token_for):
    settings.PARTNER_SNAPSHOT_CHUNK_SIZE = 2
    for _n in range(5):
        WorkerFactory()
    partner = PartnerFactory()
    response = snapshot(token_for(partner), sections="workers")
    stream = iter(response.streaming_content)
    next(stream), next(stream)  # the first line and the first chunk of 2
    cut(response)  # the client went away
    call = PartnerCall.objects.get(endpoint="snapshot")
    assert call.subjects == 2
    assert call.status == 200
    assert call.problem == "stream-closed"


def test_a_refused_snapshot_is_recorded_too(token_for):
    partner = PartnerFactory(scope="credit:read")
    assert snapshot(token_for(partner), sections="workers").status_code == 403
    call = PartnerCall.objects.get(endpoint="snapshot")
    assert (call.status, call.problem, call.subjects) == (403, "insufficient-scope", 0)
