"""The snapshot's shape: a first line naming the feed cursor, one line a record, an end line."""

import json

from django.test import Client

import pytest

from lms.outbox import change_record, head
from tests.certificates.factories import issue
from tests.registry.factories import ApprovedWorkerFactory, WorkerFactory

from .conftest import PartnerFactory

pytestmark = pytest.mark.django_db


def snapshot(token, **params):
    """GET /api/v1/snapshot with `params`; the response (streaming when 200). The other
    snapshot modules import this and :func:`lines`."""
    return Client().get("/api/v1/snapshot", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def lines(response) -> list[dict]:
    """Every line of a streamed answer, read to its end, as JSON."""
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_first_line_names_the_feed_cursor_and_last_line_counts_the_records(token_for):
    certificate = issue()
    WorkerFactory()  # submitted, filed: in the snapshot too
    change_record("door.changed", data={"colour": "green"}, worker_id=certificate.worker_id)
    cursor = str(head())
    partner = PartnerFactory()

    response = snapshot(token_for(partner))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert "no-store" in response["Cache-Control"]
    got = lines(response)
    first, records, last = got[0], got[1:-1], got[-1]
    assert first["snapshot"]["changes_cursor"] == cursor
    assert first["snapshot"]["sections"] == [
        "agencies",
        "workers",
        "certificates",
        "credit_records",
    ]
    assert last == {"end": {"records": len(records)}}
    by_section = {}
    for line in records:
        assert set(line) == {"section", "resume", "record"}
        by_section.setdefault(line["section"], []).append(line["record"])
    assert len(by_section["workers"]) == 2
    assert len(by_section["certificates"]) == 1
    assert len(by_section["agencies"]) == 2
    worker = next(w for w in by_section["workers"] if w["id"] == certificate.worker_id)
    assert worker["filing_status"] == "approved"
    assert worker["door"]["colour"] in {"green", "yellow", "red"}
    assert worker["credit"] == {"level": "good", "label": "信用良好"}
    cert = by_section["certificates"][0]
    assert cert["number"] == certificate.number
    assert cert["worker_id"] == worker["id"]
    assert cert["status"] == "valid"


def test_the_door_colour_is_the_rule_in_sql(token_for):
    from certificates.door import door_status

    workers = [issue().worker, ApprovedWorkerFactory(), WorkerFactory()]
    got = lines(snapshot(token_for(PartnerFactory()), sections="workers"))
    colours = {line["record"]["id"]: line["record"]["door"]["colour"] for line in got[1:-1]}
    assert colours == {w.pk: door_status(w).colour for w in workers}
