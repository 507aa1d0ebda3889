"""Gap-free, unique numbering when many certificates are issued at once (PostgreSQL, threads)."""

import contextlib
import threading

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

import pytest

from certificates.models import Certificate
from certificates.services.issuing import certificate_issue, certificates_issue
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from tests.certificates.factories import CertificateTypeFactory, passed_attempt

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_in_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def worker(args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_issues_get_unique_gap_free_numbers():
    cert_type = CertificateTypeFactory(seal=False)
    attempts = [passed_attempt(cert_type) for _ in range(12)]
    errors = _run_in_threads(lambda a: certificate_issue(attempt=a), [(a,) for a in attempts])
    assert errors == []
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    suffixes = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert suffixes == list(range(1, 13))


def test_concurrent_issues_for_one_attempt_yield_one_certificate():
    cert_type = CertificateTypeFactory(seal=False)
    attempt = passed_attempt(cert_type)
    results = []
    errors = _run_in_threads(
        lambda: results.append(certificate_issue(attempt=attempt).pk), [()] * 6
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Certificate.objects.count() == 1
    # No number was burned by the losers: the next issue continues the sequence.
    assert certificate_issue(attempt=passed_attempt(cert_type)).number.endswith("000002")


def test_concurrent_revoke_and_reissue_leave_one_consistent_state():
    cert_type = CertificateTypeFactory(seal=False)
    certificate = certificate_issue(attempt=passed_attempt(cert_type))

    def revoke():
        # Refused (ValidationError) when the reissue won the lock first.
        with contextlib.suppress(ValidationError):
            certificate_revoke(certificate=certificate, acting_user=None, reason="违规")

    def reissue():
        with contextlib.suppress(ValidationError):
            certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")

    errors = _run_in_threads(lambda f: f(), [(revoke,), (reissue,)])
    assert errors == []
    certificate.refresh_from_db()
    # Exactly one of the two won.
    assert (certificate.revoked_at is not None) != (certificate.superseded_by_id is not None)


def test_overlapping_chunks_issued_at_once_get_one_certificate_each_and_gap_free_numbers():
    cert_type = CertificateTypeFactory(seal=False)
    ids = [passed_attempt(cert_type).pk for _ in range(30)]
    # Four chunks at once, each overlapping the next (as a batch and the reconciler might).
    chunks = [(ids[0:12],), (ids[8:20],), (ids[16:30],), (ids[::2],)]
    errors = _run_in_threads(lambda chunk: certificates_issue(attempt_ids=chunk), chunks)
    assert errors == []
    assert sorted(Certificate.objects.values_list("attempt_id", flat=True)) == sorted(ids)
    numbers = Certificate.objects.values_list("number", flat=True)
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 31))
