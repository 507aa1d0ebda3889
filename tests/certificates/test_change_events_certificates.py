"""Certificates write their outbox events in their own transaction (#24): issue (single,
bulk, renewal, grant), revocation (also for a blacklisted holder), reissue, and the
daily expiry sweep, announcing each expiry once; no PII in the data."""

import datetime
import json

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from certificates.models import Certificate
from certificates.services.changes import certificates_expire_sweep
from certificates.services.issuing import certificate_grant, certificates_issue
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke, certificates_revoke_for_worker
from lms.models import ChangeEvent
from lms.outbox import EventType
from tests.certificates.factories import issue, passed_attempt
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2020, 1, 1)


def _events(type_):
    return list(ChangeEvent.objects.filter(type=type_).order_by("id"))


def _no_pii(worker):
    text = json.dumps([e.data for e in ChangeEvent.objects.all()], ensure_ascii=False)
    assert worker.name not in text and worker.phone not in text


def test_an_issue_writes_certificate_issued_with_references_only(cert_type, holder):
    certificate = issue(cert_type, worker=holder)
    [event] = _events(EventType.CERTIFICATE_ISSUED)
    assert event.worker_id == holder.pk and event.agency_id == holder.agency_id
    assert event.data == {
        "worker_id": holder.pk,
        "certificate_id": certificate.pk,
        "number": certificate.number,
        "revision": 1,
        "type": cert_type.code,
        "card_number": holder.card_number,
        "agency": holder.agency.credit_code,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "replaces": None,
    }
    _no_pii(holder)


def test_a_renewal_is_a_new_certificate_naming_the_one_it_replaces(cert_type, certificate):
    renewed = issue(cert_type, worker=certificate.worker)
    first, second = _events(EventType.CERTIFICATE_ISSUED)
    assert second.data["number"] == renewed.number
    assert second.data["replaces"] == certificate.number
    granted = certificate_grant(
        worker=certificate.worker, cert_type=cert_type, acting_user=None, reason="纸质证书转入"
    )
    last = _events(EventType.CERTIFICATE_ISSUED)[-1]
    assert last.data["number"] == granted.number and last.data["replaces"] == renewed.number


def test_revocation_and_reissue_write_their_events(certificate):
    new = certificate_reissue(certificate=certificate, acting_user=None, reason="卡片遗失")
    [reissued] = _events(EventType.CERTIFICATE_REISSUED)
    assert reissued.data["number"] == certificate.number
    assert reissued.data["revision"] == 2 and reissued.data["replaces_revision"] == 1
    certificate_revoke(certificate=new, acting_user=None, reason="张三 13912345678 违规")
    certificate_revoke(certificate=new, acting_user=None, reason="再次")  # idempotent
    [revoked] = _events(EventType.CERTIFICATE_REVOKED)
    assert revoked.data["number"] == new.number and revoked.data["revision"] == 2
    assert revoked.agency_id == certificate.worker.agency_id
    assert "违规" not in json.dumps(revoked.data, ensure_ascii=False)  # no free text


def test_revoking_for_a_blacklisted_worker_writes_one_event_per_certificate(cert_type, holder):
    issue(cert_type, worker=holder)
    issue(cert_type=None, worker=holder)
    revoked = certificates_revoke_for_worker(worker=holder, reason="列入黑名单")
    events = _events(EventType.CERTIFICATE_REVOKED)
    assert sorted(e.data["certificate_id"] for e in events) == sorted(c.pk for c in revoked)
    assert len(events) == 2


def test_a_rolled_back_issue_leaves_no_event(cert_type, holder):
    attempt = passed_attempt(cert_type, worker=holder)
    before = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        certificates_issue(attempt_ids=[attempt.pk])
        assert ChangeEvent.objects.filter(type=EventType.CERTIFICATE_ISSUED).exists()
        raise RuntimeError("rolled back")
    assert ChangeEvent.objects.count() == before
    assert not Certificate.objects.exists()


def _issue_queries(cert_type, size):
    ids = [passed_attempt(cert_type).pk for _ in range(size)]
    with CaptureQueriesContext(connection) as queries:
        outcome = certificates_issue(attempt_ids=ids)
    assert all(isinstance(outcome[pk], Certificate) for pk in ids)
    return [q["sql"] for q in queries.captured_queries]


def test_bulk_issuance_writes_its_events_in_a_bounded_number_of_queries(cert_type):
    small = _issue_queries(cert_type, 2)
    large = _issue_queries(cert_type, 30)
    assert len(large) == len(small)  # whatever the chunk's size
    events = [q for q in large if "lms_changeevent" in q and q.lstrip().startswith("INSERT")]
    # One insert for every certificate.issued of the chunk (the holders, without
    # insurance, stay yellow: no door.changed; tests/certificates/test_change_events_door.py).
    assert len(events) == 1
    assert len(_events(EventType.CERTIFICATE_ISSUED)) == 32


def test_the_expiry_sweep_announces_each_expiry_once_and_catches_up(cert_type, holder):
    today = timezone.localdate()
    certificate = issue(cert_type, worker=holder)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_on=LONG_AGO, expires_on=today - datetime.timedelta(days=2)
    )
    other = issue(cert_type=None, worker=ApprovedWorkerFactory())
    Certificate.objects.filter(pk=other.pk).update(
        issued_on=LONG_AGO, expires_on=today
    )  # valid through today
    # The run three days ago announced nothing; the next two were missed.
    assert certificates_expire_sweep(today=today - datetime.timedelta(days=3)) == 0
    assert certificates_expire_sweep(today=today) == 1
    assert certificates_expire_sweep(today=today) == 0  # a rerun
    [event] = _events(EventType.CERTIFICATE_EXPIRED)
    assert event.data["number"] == certificate.number
    assert event.data["expires_on"] == (today - datetime.timedelta(days=2)).isoformat()
    assert event.worker_id == holder.pk and event.agency_id == holder.agency_id
    assert certificates_expire_sweep(today=today + datetime.timedelta(days=1)) == 1
    assert _events(EventType.CERTIFICATE_EXPIRED)[-1].data["number"] == other.number
    _no_pii(holder)


def test_replaced_and_revoked_certificates_are_not_announced_as_expired(cert_type, certificate):
    new = certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")
    certificate_revoke(certificate=new, acting_user=None, reason="违规")
    Certificate.objects.update(
        issued_on=LONG_AGO, expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert certificates_expire_sweep() == 0


def test_the_expiry_sweep_runs_a_fixed_number_of_queries(cert_type, django_assert_max_num_queries):
    today = timezone.localdate()
    for _ in range(5):
        issue(cert_type=None)
    Certificate.objects.update(issued_on=LONG_AGO, expires_on=today - datetime.timedelta(days=1))
    # Savepoint and release, the anti-joined certificates, types, holders, agencies, insert.
    with django_assert_max_num_queries(7):
        assert certificates_expire_sweep(today=today) == 5
