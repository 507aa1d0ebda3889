"""Issuing a chunk of attempts at once (``certificates_issue``, the bulk job's unit of work).

Same rules as one issue — gap-free numbers, one certificate per attempt,
refusals with a reason, an audit entry per issue, rendering after commit —
in a number of queries that does not grow with the chunk.
"""

import pytest

from certificates.models import Certificate, CertificateBatch, CertificateSequence
from certificates.services.batches import certificate_batch_issue
from certificates.services.common import CertificateRefused
from certificates.services.issuing import certificate_issue, certificates_issue
from lms.audit import audit_entries
from registry.models import CreditRecord, FilingStatus
from tests.certificates.factories import passed_attempt
from tests.edge_recorder import recording
from tests.exams.factories import FailedAttemptFactory
from tests.registry.factories import ApprovedWorkerFactory, CreditRecordFactory, WorkerFactory

pytestmark = pytest.mark.django_db

#: Reads for the chunk, the sequence lock, the re-check, the holders' current
#: certificates, the inserts and the audit entries (plus savepoints in tests); then the
#: change events (#24): the agencies' credit codes, one insert of certificate.issued,
#: the holders' door colours (one query; more only when one changes, still constant).
CHUNK_QUERIES = 19


def _suffixes(certificates):
    return [int(c.number.rsplit("-", 1)[1]) for c in certificates]


@pytest.mark.parametrize("size", [2, 40])
def test_a_chunk_runs_the_same_queries_whatever_its_size(
    cert_type, size, django_assert_max_num_queries
):
    ids = [passed_attempt(cert_type).pk for _ in range(size)]
    with django_assert_max_num_queries(CHUNK_QUERIES):
        outcome = certificates_issue(attempt_ids=ids)
    assert all(isinstance(outcome[pk], Certificate) for pk in ids)
    assert Certificate.objects.count() == size


def test_a_chunk_is_numbered_gap_free_in_the_order_the_attempts_were_passed(
    cert_type, django_capture_on_commit_callbacks, settings
):
    recording(settings)  # an edge cache is configured
    attempts = [passed_attempt(cert_type) for _ in range(5)]
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = certificates_issue(attempt_ids=[a.pk for a in reversed(attempts)])
    # One edge purge and one render message for the chunk, not one per certificate.
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    certificates = [outcome[a.pk] for a in attempts]
    assert _suffixes(certificates) == [1, 2, 3, 4, 5]
    assert CertificateSequence.objects.get().last_value == 5
    for certificate in certificates:
        certificate.refresh_from_db()
        assert certificate.pdf and certificate.card_pdf  # rendered after commit
        assert certificate.agency_id == certificate.worker.agency_id
        assert certificate.card_number == certificate.worker.card_number
        [entry] = audit_entries(certificate)
        assert entry.action == "certificates.issue"
        assert entry.data["number"] == certificate.number
        assert entry.data["attempt"] == certificate.attempt_id


def test_running_a_chunk_again_issues_nothing_new(cert_type, django_capture_on_commit_callbacks):
    ids = [passed_attempt(cert_type).pk for _ in range(4)]
    first = certificates_issue(attempt_ids=ids)
    with django_capture_on_commit_callbacks() as callbacks:
        again = certificates_issue(attempt_ids=[*ids, ids[0]])
    assert {pk: c.pk for pk, c in again.items()} == {pk: c.pk for pk, c in first.items()}
    assert Certificate.objects.count() == 4
    assert CertificateSequence.objects.get().last_value == 4
    assert callbacks == []  # nothing to render again
    issued = [e for c in Certificate.objects.all() for e in audit_entries(c)]
    assert len(issued) == 4


def test_refused_attempts_say_why_and_use_no_number(cert_type):
    good = [passed_attempt(cert_type) for _ in range(2)]
    pending = passed_attempt(cert_type, worker=WorkerFactory(status=FilingStatus.SUBMITTED))
    blacklisted = ApprovedWorkerFactory()
    CreditRecordFactory(worker=blacklisted, kind=CreditRecord.Kind.BLACKLIST)
    black = passed_attempt(cert_type, worker=blacklisted)
    failed = FailedAttemptFactory(exam=cert_type.exam, worker=ApprovedWorkerFactory())
    ids = [good[0].pk, pending.pk, black.pk, failed.pk, good[1].pk]
    outcome = certificates_issue(attempt_ids=ids)
    codes = {pk: outcome[pk].code for pk in ids if isinstance(outcome[pk], CertificateRefused)}
    assert codes == {
        pending.pk: "filing_not_approved",
        black.pk: "blacklisted",
        failed.pk: "not_passed",
    }
    assert "备案" in outcome[pending.pk].messages[0]
    assert "黑名单" in outcome[black.pk].messages[0]
    assert _suffixes([outcome[good[0].pk], outcome[good[1].pk]]) == [1, 2]


def test_a_second_pass_in_the_same_chunk_renews_the_first(cert_type):
    worker = ApprovedWorkerFactory()
    earlier = passed_attempt(cert_type, worker=worker)
    later = passed_attempt(cert_type, worker=worker)
    outcome = certificates_issue(attempt_ids=[later.pk, earlier.pk])
    old, new = Certificate.objects.get(attempt=earlier), Certificate.objects.get(attempt=later)
    assert old.superseded_by == new
    assert (old.origin, new.origin) == (Certificate.Origin.ISSUE, Certificate.Origin.RENEWAL)
    assert audit_entries(old).first().action == "certificates.supersede"
    assert audit_entries(new).first().data["renews"] == old.number
    assert outcome[later.pk] == new
    # The attempt of the superseded certificate yields the chain's newest.
    assert certificate_issue(attempt=earlier).pk == new.pk


def test_a_chunk_renews_a_current_certificate_issued_before(cert_type, certificate):
    again = passed_attempt(cert_type, worker=certificate.worker)
    outcome = certificates_issue(attempt_ids=[again.pk])
    certificate.refresh_from_db()
    assert certificate.superseded_by == outcome[again.pk]
    assert outcome[again.pk].origin == Certificate.Origin.RENEWAL


def test_the_bulk_job_issues_in_chunks_and_counts_progress(
    cert_type, settings, django_capture_on_commit_callbacks
):
    settings.CERTIFICATES_BATCH_CHUNK = 3
    attempts = [passed_attempt(cert_type) for _ in range(7)]
    Certificate.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
    batch.refresh_from_db()
    assert (batch.state, batch.total, batch.done, batch.failed) == (
        CertificateBatch.State.DONE,
        7,
        7,
        0,
    )
    numbers = Certificate.objects.filter(attempt__in=attempts).order_by("number")
    assert _suffixes(numbers) == list(range(1, 8))
    assert all(c.pdf for c in numbers)
