"""The door colour computed by the database agrees with the Python rules, case by case.

Dashboards count and filter colours over hundreds of thousands of workers with
``certificates.door.with_door_colour`` (one SQL ``CASE``); the household's
verify page and the reasons come from ``door_status_for_workers``. Both must
give every worker the same colour.
"""

import pytest

from certificates import door
from registry.models import CreditRecord, Worker
from tests.registry.factories import CreditRecordFactory

from . import factories
from .test_door_status import CASES, build, day, frozen  # noqa: F401  (frozen: autouse fixture)

pytestmark = pytest.mark.django_db

MORE_CASES = [
    ("red-and-yellow", {"health": day(-10), "credit": CreditRecord.Kind.BLACKLIST}),
    ("yellow-twice", {"health": None, "insurance": "expired", "certificate": "expired"}),
    ("rejected-and-revoked", {"filing": "rejected", "certificate": "revoked"}),
    ("pending-without-anything", {"filing": "submitted", "certificate": None, "insurance": None}),
]


def _extra_workers():
    """Shapes the parametrised cases do not cover: several certificates, a superseded
    one, an expired blacklisting, a record dated in the future, an insurance gap."""
    made = []
    w = build({})
    factories.certificate(w, revoked=True)  # one valid, one revoked: red
    made.append(w)
    w = build({"certificate": "expired"})
    factories.certificate(w, expires_in=400)  # an expired one and a valid one: green
    made.append(w)
    w = build({"certificate": None})
    old = factories.certificate(w)
    new = factories.certificate(w, expires_in=10)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])  # only the current one counts: expiring, yellow
    made.append(w)
    w = build({"certificate": None})
    old = factories.certificate(w, revoked=True)
    new = factories.certificate(w)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])  # a superseded revoked one no longer counts
    made.append(w)
    w = build({})
    CreditRecordFactory(
        worker=w, kind=CreditRecord.Kind.BLACKLIST, occurred_on=day(-30), expires_on=day(-1)
    )
    made.append(w)  # expired blacklisting: green
    w = build({})
    CreditRecordFactory(worker=w, kind=CreditRecord.Kind.COMPLAINT, occurred_on=day(5))
    made.append(w)  # not yet in force: green
    w = build({"insurance": "expiring"})
    factories.insurance(w, starts_in=10, ends_in=400)  # covered until day 10, then again: yellow
    made.append(w)
    return made


def test_sql_colour_equals_python_colour_for_every_case():
    workers = [build(change) for _id, change, *_rest in CASES]
    workers += [build(change) for _id, change in MORE_CASES]
    workers += _extra_workers()
    python = door.door_status_for_workers(Worker.objects.all())
    sql = dict(door.with_door_colour(Worker.objects.all()).values_list("pk", "door_colour"))
    assert len(sql) == len(workers)
    mismatches = {pk: (python[pk].colour, sql[pk]) for pk in sql if python[pk].colour != sql[pk]}
    assert mismatches == {}
    assert {"green", "yellow", "red"} == set(sql.values())


def test_colour_counts_are_one_grouped_query(django_assert_num_queries):
    build({})
    build({"insurance": None})
    build({"credit": CreditRecord.Kind.BLACKLIST})
    with django_assert_num_queries(1):
        counts = door.door_colour_counts(Worker.objects.all())
    assert counts == {"绿码": 1, "黄码": 1, "红码": 1}


def test_filtering_by_colour_happens_in_the_database():
    green = build({})
    yellow = build({"health": None})
    red = build({"filing": "withdrawn"})
    coloured = door.with_door_colour(Worker.objects.all())
    assert list(coloured.filter(door_colour="green").values_list("pk", flat=True)) == [green.pk]
    assert list(coloured.filter(door_colour="yellow").values_list("pk", flat=True)) == [yellow.pk]
    assert list(coloured.filter(door_colour="red").values_list("pk", flat=True)) == [red.pk]
