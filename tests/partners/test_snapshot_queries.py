"""The snapshot reads in chunks: its queries grow with the number of chunks, not of rows."""

import pytest

from tests.certificates.factories import issue
from tests.registry.factories import WorkerFactory

from .conftest import PartnerFactory
from .test_snapshot_stream import lines, snapshot

pytestmark = pytest.mark.django_db


def count_queries(token, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        got = lines(snapshot(token, **params))
    return len(captured), got


@pytest.mark.parametrize("chunk", [3, 5])
def test_queries_grow_with_chunks_not_rows(settings, token_for, chunk):
    settings.PARTNER_SNAPSHOT_CHUNK_SIZE = chunk
    token = token_for(PartnerFactory())
    issue()
    small, got = count_queries(token, sections="workers")
    assert got[-1] == {"end": {"records": 1}}
    for _n in range(2 * chunk):
        WorkerFactory()
    large, got = count_queries(token, sections="workers")
    assert got[-1] == {"end": {"records": 2 * chunk + 1}}
    # Per chunk: the keys, the rows, the open employments, the view log. 3 chunks, 1 before.
    assert large - small == 4 * 2
    for _n in range(5 * chunk):
        WorkerFactory()
    many, got = count_queries(token, sections="workers")
    assert got[-1] == {"end": {"records": 7 * chunk + 1}}
    assert many - small == 4 * 7


def test_a_full_last_chunk_costs_one_read_more(settings, token_for):
    settings.PARTNER_SNAPSHOT_CHUNK_SIZE = 2
    token = token_for(PartnerFactory())
    WorkerFactory()
    one, _got = count_queries(token, sections="workers")
    WorkerFactory()
    two, got = count_queries(token, sections="workers")
    assert got[-1] == {"end": {"records": 2}}
    assert two - one == 1  # the keys read that finds nothing after a full chunk
