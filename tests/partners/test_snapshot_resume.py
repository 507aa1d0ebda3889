"""After a cut, the resume token of the last line received continues right after that
record, in the same snapshot (same first line); a forged or foreign token is refused."""

import json

from django.db import connection

import pytest

from lms.outbox import change_record
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


@pytest.fixture
def data(settings):
    settings.PARTNER_SNAPSHOT_CHUNK_SIZE = 2  # so that a resume crosses chunks and sections
    for _n in range(3):
        issue()
    WorkerFactory()


def records(got):
    return [(line["section"], line["record"]) for line in got[1:-1]]


@pytest.mark.parametrize("k", [1, 2, 5, 6, 9])
def test_resuming_from_line_k_gives_exactly_the_rest(token_for, data, k):
    token = token_for(PartnerFactory())
    whole = lines(snapshot(token))
    assert len(whole) > 10

    # A cut after k records: the client holds lines 0..k and resumes from line k.
    change_record("door.changed", data={}, worker_id=None)  # the feed moves on meanwhile
    rest = lines(snapshot(token, after=whole[k]["resume"]))

    assert rest[0] == whole[0]  # same changes_cursor, start and sections
    assert records(rest) == records(whole)[k:]
    assert rest[-1] == {"end": {"records": len(whole) - 2 - k}}


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="closing a stream halfway in the test client closes the PostgreSQL test connection; "
    "the cut over real HTTP is checked on PostgreSQL by benchmarks/partners_snapshot.py",
)
def test_a_cut_stream_resumes_from_what_was_received(token_for, data):
    token = token_for(PartnerFactory())
    response = snapshot(token, sections="workers")
    stream = iter(response.streaming_content)
    received = next(stream).splitlines() + next(stream).splitlines()  # first line, a chunk
    cut(response)  # the connection drops
    resumed = lines(snapshot(token, after=json.loads(received[-1])["resume"]))
    ids = [line["record"]["id"] for line in resumed[1:-1]]
    whole = [line["record"]["id"] for line in lines(snapshot(token, sections="workers"))[1:-1]]
    assert whole[len(received) - 1 :] == ids


def test_the_sections_of_a_resumed_snapshot_are_the_tokens(token_for, data):
    token = token_for(PartnerFactory())
    first = lines(snapshot(token, sections="workers"))
    assert snapshot(token, after=first[1]["resume"], sections="workers").status_code == 200
    refused = snapshot(token, after=first[1]["resume"], sections="agencies")
    assert refused.status_code == 422


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature altered
        lambda t: t.replace(".w.", ".a.", 1),  # section altered
        lambda t: t.rsplit(".", 2)[0] + ".999999." + t.rsplit(".", 1)[1],  # id altered
        lambda t: "garbage",
    ],
)
def test_a_forged_token_is_invalid(token_for, data, forge):
    token = token_for(PartnerFactory())
    line = next(x for x in lines(snapshot(token))[1:-1] if x["section"] == "workers")
    response = snapshot(token, after=forge(line["resume"]))
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/invalid-request")
    assert body["errors"][0]["parameter"] == "after"


def test_another_partners_token_is_invalid(token_for, data):
    line = lines(snapshot(token_for(PartnerFactory())))[1]
    response = snapshot(token_for(PartnerFactory()), after=line["resume"])
    assert response.status_code == 422


def test_a_resumed_section_still_needs_its_scope(token_for, data):
    partner = PartnerFactory()
    line = next(
        x for x in lines(snapshot(token_for(partner)))[1:-1] if x["section"] == "certificates"
    )
    partner.scope = "workers:read credit:read"
    partner.save()
    assert snapshot(token_for(partner), after=line["resume"]).status_code == 403
