"""The registry's changes write their outbox events in their own transaction (#24):
filings, cards, employments, credit records (and their expiry sweep), never PII."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import pytest

from lms.models import ChangeEvent
from lms.outbox import EventType
from registry.models import CreditRecord, Filing, FilingStatus
from registry.services.cards import card_issue, card_issue_batch
from registry.services.changes import credit_records_expire_sweep
from registry.services.credit import credit_record_create, credit_record_expire
from registry.services.employment import employment_end, employment_start
from registry.services.filings import filing_start_review, filing_withdraw
from registry.services.workers import worker_create
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    CreditRecordFactory,
    WorkerFactory,
    next_id_number,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def _events(type_, **filters):
    return list(ChangeEvent.objects.filter(type=type_, **filters).order_by("id"))


def _assert_no_pii(worker, id_number=None):
    text = json.dumps([e.data for e in ChangeEvent.objects.all()], ensure_ascii=False)
    assert worker.name not in text
    assert worker.phone not in text
    if id_number:
        assert id_number not in text


def test_filing_moves_write_their_status_changes_with_worker_and_agency():
    number = next_id_number()
    worker = WorkerFactory(id_number=number, status=FilingStatus.APPROVED)
    filing = Filing.objects.get(worker=worker)
    events = _events(EventType.FILING_STATUS_CHANGED, worker_id=worker.pk)
    assert [(e.data["from"], e.data["to"]) for e in events] == [
        (None, FilingStatus.SUBMITTED),
        (FilingStatus.SUBMITTED, FilingStatus.UNDER_REVIEW),
        (FilingStatus.UNDER_REVIEW, FilingStatus.APPROVED),
    ]
    for event in events:
        assert event.agency_id == worker.agency_id
        assert event.data["worker_id"] == worker.pk
        assert event.data["filing_id"] == filing.pk
        assert event.data["agency"] == worker.agency.credit_code
    _assert_no_pii(worker, number)


def test_a_refused_move_writes_no_event():
    worker = WorkerFactory(status=FilingStatus.APPROVED)
    before = ChangeEvent.objects.count()
    with pytest.raises(ValidationError):
        filing_start_review(filing=Filing.objects.get(worker=worker), acting_user=reviewer_user())
    assert ChangeEvent.objects.count() == before


def test_a_rolled_back_change_leaves_no_event():
    worker = WorkerFactory()
    filing = Filing.objects.get(worker=worker)
    before = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        filing_start_review(filing=filing, acting_user=reviewer_user())
        assert ChangeEvent.objects.count() > before
        raise RuntimeError("the caller's transaction fails after the change")
    assert ChangeEvent.objects.count() == before
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.SUBMITTED


def test_a_single_card_and_a_batch_write_card_issued():
    worker = WorkerFactory(status=FilingStatus.APPROVED)
    card_issue(worker=worker, acting_user=reviewer_user())
    [event] = _events(EventType.CARD_ISSUED)
    assert event.worker_id == worker.pk and event.agency_id == worker.agency_id
    assert event.data["card_number"] == worker.card_number
    assert event.data["batch_id"] is None
    agency = AgencyFactory()
    others = [WorkerFactory(agency=agency, status=FilingStatus.APPROVED) for _ in range(3)]
    batch = card_issue_batch(agency=agency, acting_user=reviewer_user())
    events = _events(EventType.CARD_ISSUED, agency_id=agency.pk)
    assert sorted(e.worker_id for e in events) == sorted(w.pk for w in others)
    assert {e.data["batch_id"] for e in events} == {batch.pk}
    assert all(e.data["card_number"].startswith("SHJZ") for e in events)
    _assert_no_pii(worker)


def test_employment_start_and_end_write_their_events():
    worker = ApprovedWorkerFactory()
    today = timezone.localdate()
    job = employment_start(
        worker=worker, agency=worker.agency, start_date=today - datetime.timedelta(days=30)
    )
    employment_end(employment=job, end_date=today)
    [started] = _events(EventType.EMPLOYMENT_STARTED)
    [ended] = _events(EventType.EMPLOYMENT_ENDED)
    for event in (started, ended):
        assert event.worker_id == worker.pk and event.agency_id == worker.agency_id
        assert event.data["employment_id"] == job.pk
        assert event.data["agency"] == worker.agency.credit_code
    assert ended.data["end_date"] == today.isoformat()
    assert started.data["end_date"] is None


def test_a_transfer_writes_the_old_filings_end_the_new_filing_and_the_jobs():
    old_agency = AgencyFactory()
    number = next_id_number()
    worker = WorkerFactory(id_number=number, agency=old_agency, status=FilingStatus.APPROVED)
    employment_start(
        worker=worker,
        agency=old_agency,
        start_date=timezone.localdate() - datetime.timedelta(days=50),
    )
    filing_withdraw(
        filing=Filing.objects.get(worker=worker), acting_user=reviewer_user(), reason="离职"
    )
    staff = AgencyStaffFactory()
    before = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    worker_create(name=worker.name, id_number=number, agency=staff.agency, acting_user=staff.user)
    new = list(ChangeEvent.objects.filter(id__gt=before).order_by("id"))
    kinds = [e.type for e in new]
    assert EventType.EMPLOYMENT_ENDED in kinds and EventType.EMPLOYMENT_STARTED in kinds
    [filed] = [e for e in new if e.type == EventType.FILING_STATUS_CHANGED]
    assert filed.agency_id == staff.agency_id and filed.data["to"] == FilingStatus.SUBMITTED
    [ended] = [e for e in new if e.type == EventType.EMPLOYMENT_ENDED]
    assert ended.agency_id == old_agency.pk
    # One colour for the whole transfer: never the withdrawn filing's red in between.
    doors = [e for e in new if e.type == EventType.DOOR_CHANGED]
    assert len(doors) <= 1 and all(e.data["to"] != "red" for e in doors)
    _assert_no_pii(worker, number)


def _blacklist_quietly(monkeypatch):
    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a: None)


def test_credit_records_about_a_worker_or_an_agency_write_credit_added(monkeypatch):
    _blacklist_quietly(monkeypatch)
    worker = ApprovedWorkerFactory()
    record = credit_record_create(
        worker=worker,
        kind=CreditRecord.Kind.COMPLAINT,
        source="市商务委",
        occurred_on=timezone.localdate(),
        description=f"{worker.name} 投诉 {worker.phone}",
        acting_user=reviewer_user(),
    )
    agency = AgencyFactory()
    about_agency = credit_record_create(
        agency=agency,
        kind=CreditRecord.Kind.VIOLATION,
        source="市商务委",
        occurred_on=timezone.localdate(),
        description="违规",
        acting_user=reviewer_user(),
    )
    first, second = _events(EventType.CREDIT_ADDED)
    assert first.worker_id == worker.pk and first.agency_id == worker.agency_id
    assert first.data["kind"] == CreditRecord.Kind.COMPLAINT
    assert first.data["record_id"] == record.pk and first.data["subject"] == "worker"
    assert second.worker_id is None and second.agency_id == agency.pk
    assert second.data["record_id"] == about_agency.pk and second.data["subject"] == "agency"
    assert second.data["agency"] == agency.credit_code
    _assert_no_pii(worker)  # the description (free text) is never copied


def test_ending_a_record_early_writes_credit_expired_once(monkeypatch):
    record = CreditRecordFactory(kind=CreditRecord.Kind.COMPLAINT)
    credit_record_expire(record=record, acting_user=reviewer_user(), reason="已处理")
    [event] = _events(EventType.CREDIT_EXPIRED)
    assert event.data["record_id"] == record.pk
    assert event.data["expires_on"] == timezone.localdate().isoformat()
    assert credit_records_expire_sweep() == 0  # the sweep sees it announced


def test_the_expiry_sweep_is_idempotent_and_catches_up_a_missed_day():
    today = timezone.localdate()
    worker = ApprovedWorkerFactory()
    yesterday = CreditRecordFactory(
        worker=worker,
        occurred_on=today - datetime.timedelta(days=20),
        expires_on=today - datetime.timedelta(days=1),
    )
    later = CreditRecordFactory(
        worker=worker,
        occurred_on=today - datetime.timedelta(days=20),
        expires_on=today + datetime.timedelta(days=1),
    )
    agency = AgencyFactory()
    about_agency = CreditRecordFactory(
        worker=None,
        agency=agency,
        occurred_on=today - datetime.timedelta(days=20),
        expires_on=today,
    )
    # The run of two days ago found nothing; yesterday's was missed; today's catches up.
    assert credit_records_expire_sweep(today=today - datetime.timedelta(days=2)) == 0
    assert credit_records_expire_sweep(today=today) == 2
    assert credit_records_expire_sweep(today=today) == 0  # a rerun
    events = _events(EventType.CREDIT_EXPIRED)
    assert {e.data["record_id"] for e in events} == {yesterday.pk, about_agency.pk}
    by_record = {e.data["record_id"]: e for e in events}
    assert by_record[about_agency.pk].agency_id == agency.pk
    assert by_record[yesterday.pk].agency_id == worker.agency_id
    assert credit_records_expire_sweep(today=today + datetime.timedelta(days=1)) == 1
    assert _events(EventType.CREDIT_EXPIRED)[-1].data["record_id"] == later.pk


def test_the_expiry_sweep_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    today = timezone.localdate()
    for _ in range(4):
        CreditRecordFactory(
            occurred_on=today - datetime.timedelta(days=9),
            expires_on=today - datetime.timedelta(days=1),
        )
    # Savepoint and release, the anti-joined records, the workers, the agencies, the insert.
    with django_assert_max_num_queries(6):
        assert credit_records_expire_sweep(today=today) == 4


def test_an_internal_credit_record_is_not_announced_to_partners():
    worker = WorkerFactory()
    credit_record_create(
        kind=CreditRecord.Kind.VIOLATION,
        source="市商务委",
        occurred_on=datetime.date.today(),
        description="内部记录",
        acting_user=None,
        worker=worker,
        is_public=False,
    )
    assert not ChangeEvent.objects.filter(type__startswith="credit.").exists()
