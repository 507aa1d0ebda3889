"""Issuing, renewing, reissuing and revoking certificates through the services."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import pytest
import time_machine

from certificates.models import Certificate, CertificateSequence
from certificates.selectors.lookup import verification_for_token
from certificates.selectors.records import certificate_status
from certificates.services.common import TOKEN_BYTES, CertificateRefused, add_months, expiry_for
from certificates.services.issuing import certificate_grant, certificate_issue
from certificates.services.replacement import certificate_reissue, certificate_renew
from certificates.services.revocation import certificate_revoke
from lms.audit import audit_entries
from registry.models import CreditRecord, FilingStatus
from tests.certificates.factories import issue, passed_attempt
from tests.lms.factories import StaffUserFactory
from tests.registry.factories import ApprovedWorkerFactory, CreditRecordFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def test_issue_numbers_by_type_and_year_and_captures_card_and_agency(cert_type, holder):
    certificate = issue(cert_type, worker=holder)
    year = timezone.localdate().year
    assert certificate.number == f"SH-{cert_type.code}-{year}-000001"
    assert certificate.card_number == holder.card_number and holder.card_number
    assert certificate.agency == holder.agency
    assert certificate.issued_on == timezone.localdate()
    assert certificate.expires_on == expiry_for(certificate.issued_on, 36)
    assert certificate.origin == Certificate.Origin.ISSUE
    assert issue(cert_type).number.endswith("-000002")


def test_token_is_random_urlsafe_and_not_derived_from_the_number(cert_type):
    tokens = {issue(cert_type).token for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)  # ≥ 24 random bytes = 192 bits
    certificate = Certificate.objects.first()
    assert certificate.number not in certificate.token
    assert TOKEN_BYTES * 8 >= 128


def test_issuing_twice_for_one_attempt_yields_one_certificate(cert_type, holder):
    attempt = passed_attempt(cert_type, worker=holder)
    first = certificate_issue(attempt=attempt)
    second = certificate_issue(attempt=attempt)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1
    assert CertificateSequence.objects.get().last_value == 1


def test_issue_is_audited(certificate):
    entry = audit_entries(certificate).first()
    assert entry.action == "certificates.issue"
    assert entry.data["number"] == certificate.number


@pytest.mark.parametrize("status", [FilingStatus.SUBMITTED, FilingStatus.REJECTED])
def test_a_worker_whose_filing_is_not_approved_is_refused(cert_type, status):
    worker = WorkerFactory(status=status)
    attempt = passed_attempt(cert_type, worker=worker)
    with pytest.raises(CertificateRefused) as refusal:
        certificate_issue(attempt=attempt)
    assert refusal.value.code == "filing_not_approved"
    assert "备案" in refusal.value.messages[0]
    assert not Certificate.objects.exists()


def test_a_blacklisted_worker_is_refused_and_no_number_is_used(cert_type, holder):
    CreditRecordFactory(worker=holder, kind=CreditRecord.Kind.BLACKLIST)
    with pytest.raises(CertificateRefused) as refusal:
        issue(cert_type, worker=holder)
    assert refusal.value.code == "blacklisted"
    assert issue(cert_type).number.endswith("-000001")


def test_a_failed_attempt_is_refused(cert_type, holder):
    from tests.exams.factories import FailedAttemptFactory

    attempt = FailedAttemptFactory(exam=cert_type.exam, worker=holder)
    with pytest.raises(CertificateRefused):
        certificate_issue(attempt=attempt)


def test_a_rolled_back_issue_gives_its_number_back(cert_type):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(cert_type)
        raise RuntimeError("crash after issuing")
    assert issue(cert_type).number.endswith("-000001")


def test_numbers_restart_each_year(cert_type):
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)):
        assert issue(cert_type).number.endswith("2026-000001")
    with time_machine.travel(datetime.datetime(2027, 1, 2, 12, tzinfo=datetime.UTC)):
        assert issue(cert_type).number.endswith("2027-000001")


def test_status_follows_dates_revocation_and_supersession(certificate):
    assert certificate_status(certificate) == "valid"
    after = certificate.expires_on + datetime.timedelta(days=1)
    assert certificate_status(certificate, today=certificate.expires_on) == "valid"
    assert certificate_status(certificate, today=after) == "expired"


def test_expiry_keeps_the_day_of_month():
    assert expiry_for(datetime.date(2026, 3, 1), 36) == datetime.date(2029, 2, 28)
    assert expiry_for(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 27)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def test_passing_again_renews_and_supersedes_the_old_certificate(cert_type, certificate):
    renewed = issue(cert_type, worker=certificate.worker)
    certificate.refresh_from_db()
    assert certificate.superseded_by == renewed
    assert renewed.number != certificate.number
    assert renewed.origin == Certificate.Origin.RENEWAL
    assert certificate_status(certificate) == "superseded"
    assert [e.action for e in audit_entries(certificate)][0] == "certificates.supersede"


def test_reissue_keeps_number_with_new_token_and_revision(certificate):
    reviewer = StaffUserFactory()
    new = certificate_reissue(certificate=certificate, acting_user=reviewer, reason="卡片遗失")
    certificate.refresh_from_db()
    assert new.number == certificate.number
    assert new.revision == certificate.revision + 1
    assert new.token != certificate.token
    assert (new.issued_on, new.expires_on) == (certificate.issued_on, certificate.expires_on)
    assert certificate.superseded_by == new
    assert new.attempt_id == certificate.attempt_id
    assert verification_for_token(certificate.token).status == "superseded"
    assert verification_for_token(new.token).status == "valid"
    assert audit_entries(new).first().data["reason"] == "卡片遗失"
    # The attempt still yields its (newest) certificate.
    assert certificate_issue(attempt=certificate.attempt).pk == new.pk


def test_reissue_needs_a_reason_and_a_current_certificate(certificate):
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=certificate, acting_user=None, reason=" ")
    certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")


def test_revoke_records_reason_and_is_idempotent(certificate):
    regulator = StaffUserFactory()
    certificate_revoke(certificate=certificate, acting_user=regulator, reason="严重违规")
    first = Certificate.objects.get(pk=certificate.pk)
    certificate_revoke(certificate=certificate, acting_user=regulator, reason="再次")
    again = Certificate.objects.get(pk=certificate.pk)
    assert again.revoked_at == first.revoked_at and again.revoked_reason == "严重违规"
    assert again.revoked_by == regulator
    assert certificate_status(again) == "revoked"
    actions = [e.action for e in audit_entries(certificate)]
    assert actions.count("certificates.revoke") == 1


def test_revoking_a_superseded_certificate_is_refused(certificate):
    certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, acting_user=None, reason="违规")


def test_grant_without_attempt_backdates_and_numbers_in_that_year(cert_type):
    worker = ApprovedWorkerFactory()
    issued = datetime.date(timezone.localdate().year - 3, 5, 4)
    certificate = certificate_grant(
        worker=worker, cert_type=cert_type, acting_user=None, issued_on=issued, reason="旧证转入"
    )
    assert certificate.number == f"SH-{cert_type.code}-{issued.year}-000001"
    assert certificate.attempt is None


def test_refresher_renewal_needs_the_course_after_issue(cert_type, certificate):
    from certificates.models import RenewalRule
    from tests.courses.factories import CoursePageFactory, mark_course_completed

    refresher = CoursePageFactory(title="上门服务复训")
    cert_type.renewal_rule = RenewalRule.REFRESHER
    cert_type.refresher_course = refresher
    cert_type.save()
    with pytest.raises(CertificateRefused) as early:
        certificate_renew(certificate=certificate)
    assert early.value.code == "too_early"
    window = certificate.expires_on - datetime.timedelta(days=30)
    with time_machine.travel(datetime.datetime.combine(window, datetime.time(10)), tick=False):
        with pytest.raises(CertificateRefused) as missing:
            certificate_renew(certificate=certificate)
        assert missing.value.code == "refresher_missing"
        mark_course_completed(certificate.worker, refresher)
        new = certificate_renew(certificate=certificate)
    certificate.refresh_from_db()
    assert certificate.superseded_by == new and new.origin == Certificate.Origin.RENEWAL
    assert new.number != certificate.number
