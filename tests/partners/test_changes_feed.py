"""GET /api/v1/changes: events in feed order, page by page with `next`, filtered by type,
an agency's own system limited to its agency, in a constant number of queries."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from lms.models import ChangeEvent
from lms.outbox import EventType, change_record, settled_events
from tests.partners.conftest import AgencySystemFactory, PartnerFactory

# On PostgreSQL an event is read once its transaction has ended: the test's own
# transaction must commit, so these tests run outside one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ISSUED, REVOKED, DOOR = (
    EventType.CERTIFICATE_ISSUED,
    EventType.CERTIFICATE_REVOKED,
    EventType.DOOR_CHANGED,
)


def feed(token, **params):
    """The feed's answer to `token` with query `params`."""
    return Client().get("/api/v1/changes", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def settle(timeout=60.0):
    """Wait until every event is settled: on PostgreSQL any transaction of the cluster
    still running (another test process's) holds the feed back until it ends."""
    deadline = time.monotonic() + timeout
    while settled_events().count() != ChangeEvent.objects.count():
        assert time.monotonic() < deadline, "a transaction held the feed back too long"
        time.sleep(0.05)


def record(n, type=ISSUED, agency_id=None):
    """`n` events, each in its own transaction, settled; their ids in order."""
    written = [
        change_record(type, data={"n": i}, worker_id=i, agency_id=agency_id).pk for i in range(n)
    ]
    settle()
    return written


def ids(answer):
    """The event ids of an answer (a response or its JSON body), in order."""
    body = answer if isinstance(answer, dict) else answer.json()
    return [int(e["id"].removeprefix("evt_")) for e in body["events"]]


@pytest.fixture
def reader(token_for):
    return token_for(PartnerFactory(scope="changes:read"))


def test_every_event_once_in_order_page_by_page(reader):
    written = record(7)
    seen, after, pages = [], "", 0
    while True:
        answer = feed(reader, after=after, limit=3)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        seen += ids(answer)
        after, pages = body["next"], pages + 1
        if not body["has_more"]:
            break
    assert seen == written
    assert pages == 3
    assert body["events"][-1]["cursor"] == after


def test_an_event_as_partners_read_it(reader):
    event = change_record(ISSUED, data={"certificate": "SH-JZ-2026-000001"}, worker_id=5)
    event.refresh_from_db()
    settle()
    (document,) = feed(reader).json()["events"]
    assert document == {
        "id": f"evt_{event.pk}",
        "type": ISSUED,
        "at": timezone.localtime(event.at).isoformat(),
        "cursor": f"{event.txid}.{event.pk}",
        "data": {"certificate": "SH-JZ-2026-000001"},
    }


def test_next_stays_when_nothing_is_new_and_moves_when_something_is(reader):
    record(2)
    first = feed(reader).json()
    assert (len(first["events"]), first["has_more"]) == (2, False)
    again = feed(reader, after=first["next"]).json()
    assert again == {"events": [], "next": first["next"], "has_more": False}
    (new,) = record(1)
    later = feed(reader, after=first["next"]).json()
    assert [e["id"] for e in later["events"]] == [f"evt_{new}"]
    assert later["next"] != first["next"]


def test_a_full_last_page_says_has_more_only_when_there_is_more(reader):
    record(4)
    body = feed(reader, limit=4).json()
    assert (len(body["events"]), body["has_more"]) == (4, False)
    body = feed(reader, limit=3).json()
    assert (len(body["events"]), body["has_more"]) == (3, True)


def test_types_keep_only_those_types(reader):
    issued = record(2, ISSUED)
    record(2, DOOR)
    revoked = record(1, REVOKED)
    answer = feed(reader, types=f"{ISSUED}, {REVOKED}")
    assert ids(answer) == issued + revoked
    assert {e["type"] for e in answer.json()["events"]} == {ISSUED, REVOKED}


def test_a_filtered_cursor_moves_on_past_what_it_does_not_show(reader):
    (issued,) = record(1, ISSUED)
    record(3, DOOR)
    body = feed(reader, types=ISSUED).json()
    assert ids(body) == [issued]
    # The cursor is past the door changes it did not show: nothing is read twice,
    # and a later issued event is the next one.
    assert body["next"] == feed(reader).json()["events"][-1]["cursor"]
    assert feed(reader, types=ISSUED, after=body["next"]).json()["events"] == []
    (later,) = record(1, ISSUED)
    assert ids(feed(reader, types=ISSUED, after=body["next"])) == [later]


def test_an_agency_system_sees_only_its_agency(token_for):
    partner = AgencySystemFactory(scope="changes:read workers:read")
    other = AgencySystemFactory(scope="changes:read")
    own = record(2, agency_id=partner.agency_id)
    foreign = record(2, agency_id=other.agency_id)
    unowned = record(1)
    assert ids(feed(token_for(partner))) == own
    assert ids(feed(token_for(other))) == foreign
    everyone = token_for(PartnerFactory(scope="changes:read"))
    assert sorted(ids(feed(everyone))) == sorted(own + foreign + unowned)


def test_the_default_page_is_500_and_the_largest_1000(reader):
    from partners.api_changes import DEFAULT_LIMIT, MAX_LIMIT

    assert (DEFAULT_LIMIT, MAX_LIMIT) == (500, 1000)


def _queries(token, **params):
    with CaptureQueriesContext(connection) as queries:
        answer = feed(token, **params)
    assert answer.status_code == 200
    return len(queries), len(answer.json()["events"])


@pytest.mark.parametrize("filtered", [False, True])
def test_a_page_costs_the_same_queries_for_3_or_60_events(reader, filtered):
    params = {"types": ISSUED} if filtered else {}
    record(1)
    after = feed(reader).json()["next"]
    record(3)
    small = _queries(reader, after=after, **params)
    record(57)
    large = _queries(reader, after=after, limit=100, **params)
    assert (small[1], large[1]) == (3, 60)
    assert small[0] == large[0]
    # The token (with its partner), the page, the oldest kept event, the call log row
    # (5 statements with Wagtail's reference index), the last settled event when
    # filtered; nothing per event.
    assert small[0] == 9 + filtered
