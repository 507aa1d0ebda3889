"""Every change to what a certificate's public URLs show purges them from the edge, after commit."""

import datetime

from django.utils import timezone

import pytest

from certificates import tasks
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from registry.services.credit import credit_record_create
from registry.services.insurance import insurance_add
from tests.dashboards.factories import CertificateFactory
from tests.edge_recorder import paths, recording

pytestmark = pytest.mark.django_db


@pytest.fixture
def purged(settings):
    return recording(settings)


def urls(certificate) -> set[str]:
    return {f"/v/{certificate.token}/", f"/api/v1/verify/{certificate.token}"}


def test_a_revocation_purges_the_page_and_the_api_after_commit(
    certificate, purged, django_capture_on_commit_callbacks
):
    purged.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    assert purged == []
    for callback in callbacks:
        callback()
    assert urls(certificate) <= paths(purged)


def test_a_reissue_purges_the_old_and_the_new_certificate(
    certificate, purged, django_capture_on_commit_callbacks
):
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")
    assert urls(certificate) | urls(new) <= paths(purged)


def test_a_credit_record_purges_the_holders_certificates(
    certificate, purged, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a, **k: None)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        credit_record_create(
            worker=certificate.worker,
            kind="blacklist",
            source="市商务委",
            occurred_on=datetime.date.today(),
            description="列入黑名单",
            acting_user=None,
        )
    assert urls(certificate) <= paths(purged)


def test_insurance_purges_the_holders_certificates(
    certificate, purged, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        insurance_add(
            worker=certificate.worker,
            insurer="平安保险",
            policy_number="PA-0001",
            start_date=today,
            end_date=today + datetime.timedelta(days=365),
        )
    assert urls(certificate) <= paths(purged)


def test_the_daily_expiry_purges_what_expired_yesterday(purged):
    today = timezone.localdate()
    expired = CertificateFactory(
        issued_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    still_valid = CertificateFactory(expires_on=today)
    purged.clear()
    assert tasks.certificates_purge_expired() == 1
    found = paths(purged)
    assert urls(expired) <= found
    assert not urls(still_valid) & found
