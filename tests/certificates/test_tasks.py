"""Celery tasks (run eagerly here): issue by name, render idempotently, revoke, remind, reconcile, bulk."""

import datetime

from django.core import mail
from django.utils import timezone

import pytest

from certificates import tasks
from certificates.models import Certificate, CertificateBatch
from certificates.selectors.lookup import verification_for_token
from certificates.selectors.pending import expected_pdf_revision
from certificates.services.batches import certificate_batch_issue, certificate_type_regenerate
from certificates.services.rendering import certificate_render
from lms.audit import audit_entries
from lms.notifications import ConsoleSMSBackend
from registry.models import CreditRecord, FilingStatus
from tests.certificates.factories import issue, passed_attempt
from tests.registry.factories import ApprovedWorkerFactory, CreditRecordFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def test_issue_task_by_name_is_idempotent(cert_type, holder):
    attempt = passed_attempt(cert_type, worker=holder)
    first = tasks.certificate_issue_for_attempt(attempt.pk)
    second = tasks.certificate_issue_for_attempt(attempt.pk)
    assert first == second
    assert Certificate.objects.count() == 1


def test_issue_task_is_registered_under_the_contract_names():
    from lms.celery import app

    app.loader.import_default_modules()
    for name in (
        "certificates.tasks.certificate_issue_for_attempt",
        "certificates.tasks.certificates_revoke_for_blacklisted_worker",
    ):
        assert name in app.tasks


def test_issue_task_audits_a_refusal_once(cert_type):
    worker = WorkerFactory(status=FilingStatus.SUBMITTED)
    attempt = passed_attempt(cert_type, worker=worker)
    assert tasks.certificate_issue_for_attempt(attempt.pk) is None
    assert tasks.certificate_issue_for_attempt(attempt.pk) is None
    refusals = [e for e in audit_entries(attempt) if e.action == "certificates.issue_refused"]
    assert len(refusals) == 1 and refusals[0].data["code"] == "filing_not_approved"


def test_issuing_renders_pdf_and_card_after_commit(certificate):
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.card_pdf
    assert certificate.pdf_revision == expected_pdf_revision(certificate)


def test_rendering_twice_for_the_same_revision_does_nothing(certificate):
    certificate.refresh_from_db()
    name = certificate.pdf.name
    assert certificate_render(certificate_id=certificate.pk) is False
    certificate.refresh_from_db()
    assert certificate.pdf.name == name


def test_a_missing_file_or_a_new_template_renders_again(
    certificate, django_capture_on_commit_callbacks
):
    certificate.refresh_from_db()
    old = certificate.pdf.name
    certificate.pdf.storage.delete(old)
    assert certificate_render(certificate_id=certificate.pk) is True
    certificate.refresh_from_db()
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_type_regenerate(cert_type=certificate.type, acting_user=None)
    certificate.refresh_from_db()
    assert certificate.pdf_revision.endswith(".2")
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total) == (CertificateBatch.State.DONE, 1, 1)


def test_pdf_text_has_no_id_number_phone_or_full_name(certificate):
    import io
    import re

    from pypdf import PdfReader

    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    worker = certificate.worker
    assert certificate.number in text and "张*红" in text
    assert not re.search(r"\d{17}[\dXx]", text)
    assert not re.search(r"1[3-9]\d{9}", text)
    assert worker.name not in text


def test_blacklisting_revokes_through_the_registry_task(
    certificate, django_capture_on_commit_callbacks
):
    from registry.services.credit import credit_record_create

    with django_capture_on_commit_callbacks(execute=True):
        credit_record_create(
            kind=CreditRecord.Kind.BLACKLIST,
            source="徐汇区商务委员会",
            occurred_on=timezone.localdate(),
            description="多次严重违规。",
            acting_user=None,
            worker=certificate.worker,
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert "黑名单" in certificate.revoked_reason
    assert verification_for_token(certificate.token).status == "revoked"


def test_revoke_task_does_nothing_for_a_worker_not_blacklisted(certificate):
    assert tasks.certificates_revoke_for_blacklisted_worker(certificate.worker_id) == 0
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_reminders_go_once_to_worker_and_agency(certificate, time_machine):
    ConsoleSMSBackend.outbox.clear()
    agency = certificate.agency
    agency.contact_email = "boss@agency.example.cn"
    agency.save()
    time_machine.move_to(
        datetime.datetime.combine(
            certificate.expires_on - datetime.timedelta(days=20), datetime.time(9)
        )
    )
    assert tasks.certificates_remind_expiring() == 1
    assert tasks.certificates_remind_expiring() == 0
    assert [phone for phone, _ in ConsoleSMSBackend.outbox] == [certificate.worker.phone]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@agency.example.cn"]
    assert certificate.worker.name not in mail.outbox[0].body


def test_reconciler_issues_missing_certificates_and_renders_missing_pdfs(cert_type, time_machine):
    attempt = passed_attempt(cert_type)
    Certificate.objects.all().delete()  # as if the issue message had been lost
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=30))
    result = tasks.certificates_reconcile()
    assert result["issued"] == 1
    certificate = Certificate.objects.get(attempt=attempt)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_revision="")
    assert tasks.certificates_reconcile() == {"issued": 0, "rendered": 1, "batches": 0}
    certificate.refresh_from_db()
    assert certificate.pdf


def test_batch_issue_for_a_cohort_reports_progress_and_refusals(
    cert_type, django_capture_on_commit_callbacks
):
    good = [passed_attempt(cert_type) for _ in range(3)]
    refused = passed_attempt(cert_type, worker=WorkerFactory(status=FilingStatus.SUBMITTED))
    Certificate.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE
    assert (batch.total, batch.done, batch.failed) == (4, 3, 1)
    assert batch.errors[0]["id"] == refused.pk
    assert Certificate.objects.filter(attempt__in=good).count() == 3


def test_beat_entries_come_from_the_app_config():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["certificates-remind-expiring"]["task"].endswith("certificates_remind_expiring")
    assert schedule["certificates-reconcile"]["task"].endswith("certificates_reconcile")


def test_blacklisted_holder_stops_an_issue(cert_type):
    worker = ApprovedWorkerFactory()
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
    attempt = passed_attempt(cert_type, worker=worker)
    assert tasks.certificate_issue_for_attempt(attempt.pk) is None
    assert not Certificate.objects.exists()
    assert issue(cert_type).number.endswith("000001")
