"""A malformed cursor, an unknown type or a limit out of range is a 422 naming the parameter;
a cursor whose following events the retention purge removed is a 410 cursor-expired."""

import datetime

from django.utils import timezone

import pytest

from lms.models import ChangeEvent
from lms.outbox import Cursor, EventType
from lms.tasks import change_events_purge
from tests.partners.conftest import PartnerFactory
from tests.partners.test_changes_feed import feed, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def reader(token_for):
    return token_for(PartnerFactory(scope="changes:read"))


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "12"}, "after"),
        ({"after": "1.2.3"}, "after"),
        ({"after": "-1.5"}, "after"),
        ({"after": "9999999999999999999.1"}, "after"),
        ({"types": "certificate.issued,nonsense"}, "types"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "٣"}, "limit"),
    ],
)
def test_invalid_parameters(reader, params, parameter):
    answer = feed(reader, **params)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/invalid-request")
    assert [e["parameter"] for e in body["errors"]] == [parameter]


def _age(days, ids):
    ChangeEvent.objects.filter(pk__in=ids).update(at=timezone.now() - datetime.timedelta(days=days))


def _cursor(pk):
    return str(Cursor.of(ChangeEvent.objects.get(pk=pk)))


def test_a_cursor_before_purged_events_has_expired(reader, settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    old = record(3)
    kept = record(2)
    stale = _cursor(old[0])
    _age(31, old)
    assert change_events_purge() == 3
    answer = feed(reader, after=stale)
    assert answer.status_code == 410
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/cursor-expired")
    assert answer.json()["errors"] == [
        {"parameter": "after", "detail": answer.json()["errors"][0]["detail"]}
    ]
    # From the beginning, or from the last purged event on, nothing was lost.
    assert [e["id"] for e in feed(reader).json()["events"]] == [f"evt_{pk}" for pk in kept]


def test_a_cursor_past_the_purge_goes_on(reader, settings):
    settings.CHANGE_EVENTS_RETENTION_DAYS = 30
    old = record(2)
    kept = record(2)
    current = _cursor(kept[0])
    _age(31, old)
    change_events_purge()
    body = feed(reader, after=current).json()
    assert [e["id"] for e in body["events"]] == [f"evt_{kept[1]}"]


def test_without_a_purge_no_cursor_expires(reader):
    written = record(2)
    first = _cursor(written[0])
    ChangeEvent.objects.filter(pk=written[0]).delete()  # not the purge: nothing recorded
    assert feed(reader, after="0.0").status_code == 200
    assert feed(reader, after=first).status_code == 200


def test_an_unfiltered_type_list_is_every_type(reader):
    record(1, EventType.DOOR_CHANGED)
    assert len(feed(reader, types=" , ").json()["events"]) == 1
