"""The door colour: every rule of issue #8, one row each, with its plain-Chinese reason."""

import datetime
import zoneinfo

from django.utils import timezone

import pytest
import time_machine

from certificates import door
from registry.models import CreditRecord, FilingStatus
from registry.services.credit import credit_record_expire
from tests.registry.factories import ApprovedWorkerFactory, CreditRecordFactory, WorkerFactory

from . import factories

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def build(case: dict):
    """A worker that is green except for what `case` changes."""
    filing = case.get("filing", FilingStatus.APPROVED)
    factory = ApprovedWorkerFactory if filing == FilingStatus.APPROVED else WorkerFactory
    worker = factory(status=filing, health_check_expiry=case.get("health", day(200)), card=False)
    if case.get("insurance", "valid") == "valid":
        factories.insurance(worker, starts_in=-100, ends_in=200)
    elif case["insurance"] == "expiring":
        factories.insurance(worker, starts_in=-300, ends_in=10)
    elif case["insurance"] == "expired":
        factories.insurance(worker, starts_in=-400, ends_in=-5)
    elif case["insurance"] == "future":
        factories.insurance(worker, starts_in=3, ends_in=368)
    cert = case.get("certificate", "valid")
    if cert == "valid":
        factories.certificate(worker, expires_in=400)
    elif cert == "expiring":
        factories.certificate(worker, expires_in=30)
    elif cert == "boundary":
        factories.certificate(worker, expires_in=31)
    elif cert == "expired":
        factories.certificate(worker, expires_in=-1)
    elif cert == "revoked":
        factories.certificate(worker, revoked=True)
    if "credit" in case:
        CreditRecordFactory(worker=worker, kind=case["credit"], occurred_on=day(-3))
    return worker


CASES = [
    # (id, change, colour, reason code, reason text)
    ("all-in-order", {}, "green", None, None),
    (
        "filing-rejected",
        {"filing": FilingStatus.REJECTED},
        "red",
        "filing_rejected",
        "备案未通过审核",
    ),
    (
        "filing-withdrawn",
        {"filing": FilingStatus.WITHDRAWN},
        "red",
        "filing_withdrawn",
        "备案已注销",
    ),
    (
        "filing-pending",
        {"filing": FilingStatus.UNDER_REVIEW},
        "yellow",
        "filing_pending",
        "备案还在审核中",
    ),
    (
        "filing-returned",
        {"filing": FilingStatus.RETURNED},
        "yellow",
        "filing_pending",
        "备案还在审核中",
    ),
    (
        "certificate-revoked",
        {"certificate": "revoked"},
        "red",
        "certificate_revoked",
        "证书已撤销 2026-06-01",
    ),
    (
        "certificate-expiring",
        {"certificate": "expiring"},
        "yellow",
        "certificate_expiring",
        "证书即将到期 2026-07-01",
    ),
    ("certificate-31-days", {"certificate": "boundary"}, "green", None, None),
    (
        "certificate-expired",
        {"certificate": "expired"},
        "yellow",
        "certificate_expired",
        "证书已过期 2026-05-31",
    ),
    (
        "certificate-missing",
        {"certificate": None},
        "yellow",
        "certificate_missing",
        "没有上门服务证",
    ),
    ("health-expired", {"health": day(-1)}, "yellow", "health_expired", "体检已过期 2026-05-31"),
    (
        "health-expiring",
        {"health": day(30)},
        "yellow",
        "health_expiring",
        "体检即将到期 2026-07-01",
    ),
    ("health-today", {"health": TODAY}, "yellow", "health_expiring", "体检即将到期 2026-06-01"),
    ("health-missing", {"health": None}, "yellow", "health_missing", "没有体检记录"),
    (
        "insurance-expiring",
        {"insurance": "expiring"},
        "yellow",
        "insurance_expiring",
        "保险即将到期 2026-06-11",
    ),
    (
        "insurance-expired",
        {"insurance": "expired"},
        "yellow",
        "insurance_expired",
        "保险已过期 2026-05-27",
    ),
    (
        "insurance-not-started",
        {"insurance": "future"},
        "yellow",
        "insurance_not_started",
        "保险尚未生效，2026-06-04 起生效",
    ),
    ("insurance-missing", {"insurance": None}, "yellow", "insurance_missing", "没有登记责任保险"),
    (
        "complaint",
        {"credit": CreditRecord.Kind.COMPLAINT},
        "yellow",
        "credit_caution",
        "有不良信用记录",
    ),
    (
        "violation",
        {"credit": CreditRecord.Kind.VIOLATION},
        "yellow",
        "credit_caution",
        "有不良信用记录",
    ),
    ("commendation", {"credit": CreditRecord.Kind.COMMENDATION}, "green", None, None),
    ("blacklisted", {"credit": CreditRecord.Kind.BLACKLIST}, "red", "blacklisted", "已列入黑名单"),
]


@pytest.mark.parametrize(
    ("change", "colour", "code", "text"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_door_colour_follows_each_rule(change, colour, code, text):
    worker = build(change)
    status = door.door_status(worker)
    assert status.colour == colour
    if code is None:
        assert status.reasons == []
        assert status.codes == set()
    else:
        assert status.codes == {code}
        assert status.reasons == [text]
    # The batch selector agrees with the single one.
    assert door.door_status_for_workers([worker])[worker.pk] == status


def test_red_outranks_yellow_and_reasons_list_the_worst_first():
    worker = build({"health": day(-10), "insurance": None, "credit": CreditRecord.Kind.BLACKLIST})
    status = door.door_status(worker)
    assert status.colour == "red"
    assert status.reasons[0] == "已列入黑名单"
    assert set(status.reasons[1:]) == {"体检已过期 2026-05-22", "没有登记责任保险"}


def test_green_lists_what_was_checked_with_dates():
    worker = build({})
    texts = [c.text for c in door.door_status(worker).checks]
    assert texts == [
        "备案已通过",
        "证书有效至 2027-07-06",
        "体检有效至 2026-12-18",
        "保险有效至 2026-12-18",
        "信用良好",
    ]


def test_a_superseded_certificate_presented_at_the_door_asks_for_the_new_one():
    worker = build({})
    old = factories.certificate(worker)
    new = factories.certificate(worker)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    status = door.door_status(worker, certificate=old)
    assert status.colour == "yellow"
    assert status.codes == {"certificate_superseded"}
    # Judged on all current certificates, the worker is green.
    assert door.door_status(worker).colour == "green"


def test_an_expired_blacklisting_no_longer_counts():
    worker = build({})
    record = CreditRecordFactory(
        worker=worker, kind=CreditRecord.Kind.BLACKLIST, occurred_on=day(-30)
    )
    assert door.door_status(worker).colour == "red"
    credit_record_expire(record=record, acting_user=None, reason="申诉成立")
    assert door.door_status(worker).colour == "green"


def test_many_workers_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    workers = [build({}) for _ in range(3)] + [build({"health": None, "insurance": None})]
    from registry.models import Worker

    with django_assert_max_num_queries(4):
        statuses = door.door_status_for_workers(Worker.objects.all())
    assert {s.colour for s in statuses.values()} == {"green", "yellow"}
    for _ in range(10):
        build({"certificate": "expired"})
    with django_assert_max_num_queries(4):
        statuses = door.door_status_for_workers(Worker.objects.all())
    assert len(statuses) == len(workers) + 10


def test_colour_counts_for_the_supervision_overview():
    build({})
    build({"insurance": None})
    build({"credit": CreditRecord.Kind.BLACKLIST})
    from registry.models import Worker

    assert door.door_colour_counts(Worker.objects.all()) == {"绿码": 1, "黄码": 1, "红码": 1}


def test_the_registry_reaches_the_door_status_through_its_hook():
    from registry.selectors.door_facts import worker_door_status

    worker = build({"insurance": None})
    status = worker_door_status(worker)
    assert status.colour == "yellow"
    assert timezone.localdate() == TODAY
