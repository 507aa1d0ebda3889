"""``door.changed`` (#24): announced in the transaction of any change that alters a
worker's door colour (registry changes through its hook, certificate changes
directly), and by the daily sweep for colours time changed; once per change, set-based."""

import datetime
import json

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from certificates.door_events import door_changes_announce, door_changes_sweep
from certificates.services.revocation import certificate_revoke
from lms.models import ChangeEvent
from lms.outbox import EventType
from registry.models import CreditRecord, Worker
from registry.services.credit import credit_record_create
from registry.services.workers import worker_update
from tests.certificates.factories import issue
from tests.registry.factories import ApprovedWorkerFactory, reviewer_user
from tests.trust import factories as trust

pytestmark = pytest.mark.django_db


def _doors(worker=None):
    events = ChangeEvent.objects.filter(type=EventType.DOOR_CHANGED).order_by("id")
    if worker is not None:
        events = events.filter(worker_id=worker.pk)
    return list(events)


def _announced(worker):
    return Worker.objects.values_list("door_colour_announced", flat=True).get(pk=worker.pk)


def _green(cert_type):
    worker = ApprovedWorkerFactory(
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200)
    )
    trust.insurance(worker)
    issue(cert_type, worker=worker)
    return worker


def test_a_worker_is_announced_from_creation_and_on_every_colour_change(cert_type, monkeypatch):
    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a: None)
    worker = _green(cert_type)
    steps = [(e.data["from"], e.data["to"]) for e in _doors(worker)]
    assert steps == [(None, "yellow"), ("yellow", "green")]
    assert _announced(worker) == "green"
    credit_record_create(
        worker=worker,
        kind=CreditRecord.Kind.COMPLAINT,
        source="市商务委",
        occurred_on=timezone.localdate(),
        description="投诉",
        acting_user=reviewer_user(),
    )
    event = _doors(worker)[-1]
    assert (event.data["from"], event.data["to"]) == ("green", "yellow")
    assert event.data["reasons"] == ["credit_caution"]
    assert event.agency_id == worker.agency_id and event.data["card_number"] == worker.card_number
    assert event.data["agency"] == worker.agency.credit_code
    text = json.dumps([e.data for e in _doors()], ensure_ascii=False)
    assert worker.name not in text and worker.phone not in text


def test_a_change_that_keeps_the_colour_announces_nothing(cert_type):
    worker = _green(cert_type)
    before = len(_doors())
    worker_update(worker=worker, acting_user=None, phone="13911112222")
    assert len(_doors()) == before


def test_a_revocation_turns_the_code_red_in_its_transaction(cert_type):
    worker = _green(cert_type)
    certificate = worker.certificates.get()
    certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    event = _doors(worker)[-1]
    assert (event.data["from"], event.data["to"]) == ("green", "red")
    assert "certificate_revoked" in event.data["reasons"]


def test_a_rolled_back_change_announces_nothing_and_keeps_the_colour(cert_type):
    worker = _green(cert_type)
    before = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        certificate_revoke(certificate=worker.certificates.get(), acting_user=None, reason="违规")
        assert _announced(worker) == "red"
        raise RuntimeError("rolled back")
    assert ChangeEvent.objects.count() == before
    assert _announced(worker) == "green"


def test_the_sweep_announces_colours_time_changed_once_and_catches_up(cert_type):
    worker = _green(cert_type)
    today = timezone.localdate()
    # Nothing changed the worker; only the days pass (the health check's 30-day window).
    assert door_changes_sweep(today=today)["changed"] == 0
    expiry = Worker.objects.get(pk=worker.pk).health_check_expiry
    missed_days_later = expiry - datetime.timedelta(days=10)
    assert door_changes_sweep(today=missed_days_later)["changed"] == 1
    assert door_changes_sweep(today=missed_days_later)["changed"] == 0  # a rerun
    event = _doors(worker)[-1]
    assert (event.data["from"], event.data["to"]) == ("green", "yellow")
    assert event.data["reasons"] == ["health_expiring"]
    assert door_changes_sweep(today=missed_days_later + datetime.timedelta(days=1)) == {
        "baseline": 0,
        "changed": 0,
    }


def test_the_sweep_sets_a_never_announced_colour_silently(cert_type):
    worker = _green(cert_type)
    Worker.objects.filter(pk=worker.pk).update(door_colour_announced="")
    before = ChangeEvent.objects.count()
    assert door_changes_sweep() == {"baseline": 1, "changed": 0}
    assert ChangeEvent.objects.count() == before
    assert _announced(worker) == "green"


def _queries(fn):
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, len(queries.captured_queries)


def test_announcing_and_sweeping_are_set_based(cert_type):
    workers = [ApprovedWorkerFactory() for _ in range(7)]
    ids = [w.pk for w in workers]
    Worker.objects.filter(pk__in=ids[:2]).update(door_colour_announced="green")
    few, few_queries = _queries(lambda: door_changes_announce(ids))
    Worker.objects.filter(pk__in=ids).update(door_colour_announced="green")
    many, many_queries = _queries(lambda: door_changes_announce(ids))
    assert (few, many) == (2, 7)
    assert few_queries == many_queries  # the same queries for 2 changed workers or 7
    _none, unchanged_queries = _queries(lambda: door_changes_announce(ids))
    assert unchanged_queries == 1  # one annotated query when nothing changed
    Worker.objects.filter(pk__in=ids[:2]).update(door_colour_announced="red")
    few_swept, few_sweep_queries = _queries(door_changes_sweep)
    Worker.objects.filter(pk__in=ids).update(door_colour_announced="red")
    many_swept, many_sweep_queries = _queries(door_changes_sweep)
    assert (few_swept["changed"], many_swept["changed"]) == (2, 7)
    assert few_sweep_queries == many_sweep_queries
