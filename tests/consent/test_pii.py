"""The full record and /me/views/ never show a full ID number or phone; the record shows what
the worker consented to (full name, age and native province from the ID)."""

import pytest

from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record
from tests.consent.conftest import ID_PATTERN, PHONE_PATTERN, granted

pytestmark = pytest.mark.django_db


def assert_no_pii(html, worker):
    assert worker.id_number not in html
    assert worker.phone not in html
    assert not ID_PATTERN.search(html), ID_PATTERN.search(html)
    assert not PHONE_PATTERN.search(html), PHONE_PATTERN.search(html)


def test_the_full_record_shows_the_consented_facts_and_no_id_or_phone(
    household, worker_client, certificate, worker
):
    granted(household, worker_client, certificate)
    html = household.get("/consent/record/").content.decode()
    assert "王丽华" in html
    assert "岁" in html
    from lms.validators import id_birth_province

    assert id_birth_province(worker.id_number) in html
    assert worker.agency.name in html  # employment
    assert certificate.number in html  # certificates
    assert "做事细心，很准时" in html  # the approved comment
    assert "未审核的评论不显示" not in html  # a comment awaiting moderation
    assert "年度优秀服务员" in html  # the credit record
    assert "PICC2026000123" not in html and "0123" in html  # the policy, masked
    assert_no_pii(html, worker)


def test_the_agency_full_record_has_no_id_or_phone(
    worker_client, certificate, worker, agency_staff, login_staff, client
):
    from consent.models import ConsentRequest

    agency = login_staff(client.__class__(), agency_staff)
    agency.post("/admin/consent/", {"card_number": worker.card_number})
    consent_request = ConsentRequest.objects.get()
    worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 24}
    )
    html = agency.get(f"/admin/consent/grants/{consent_request.grant.pk}/").content.decode()
    assert "王丽华" in html
    assert_no_pii(html, worker)


def test_the_views_page_names_no_person_and_shows_no_id_or_phone(worker, worker_client):
    worker_views_record(workers=[worker], kind=WorkerView.Kind.CERTIFICATE_SCAN)
    worker_views_record(
        workers=[worker],
        kind=WorkerView.Kind.PARTNER_API,
        viewer_kind=ViewerKind.PARTNER,
        viewer_label="合作单位甲",
    )
    html = worker_client.get("/me/views/").content.decode()
    assert "住户扫码" in html and "合作单位甲" in html
    assert_no_pii(html, worker)
