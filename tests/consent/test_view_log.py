"""Every kind of view writes its row (time, kind, masked viewer, keyed hash, no address), and
the worker's /me/views/ shows it, newest first."""

import pytest

from certificates import live_code
from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record
from tests.consent.conftest import granted
from tests.registry.conftest import trace_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.77"


@pytest.fixture
def lookup_page(db):
    from wagtail.models import Site

    from certificates.models import CertificateLookupPage

    root = Site.objects.get(is_default_site=True).root_page
    page = CertificateLookupPage(title="证书查询", slug="certificate-lookup")
    root.add_child(instance=page)
    return page


def scan_certificate(household, certificate, **_):
    household.get(f"/v/{certificate.token}/")  # the page, as the edge may serve it
    household.get(f"/consent/seen/{certificate.token}.gif")  # its uncached beacon


def scan_live_code(household, certificate, **_):
    token = live_code.live_token_make(certificate.pk)
    assert household.get(f"/v/live/{token}/").status_code == 200


def trace_lookup(household, certificate, trace_page, **_):  # noqa: F811
    household.get(trace_page.url, {"card_number": certificate.worker.card_number})


def certificate_lookup(household, certificate, lookup_page, **_):
    household.post(lookup_page.url, {"number": certificate.number, "name": "王丽华"})


def full_record(household, certificate, worker_client, **_):
    granted(household, worker_client, certificate)
    household.get("/consent/record/")


def agency_full_record(household, certificate, worker_client, agency_client, **_):
    from consent.models import ConsentRequest

    agency_client.post("/admin/consent/", {"card_number": certificate.worker.card_number})
    consent_request = ConsentRequest.objects.get()
    worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 1}
    )
    assert (
        agency_client.get(f"/admin/consent/grants/{consent_request.grant.pk}/").status_code == 200
    )


def partner_read(household, certificate, **_):
    # What the partners app's worker lookup calls (consent.services.worker_views_record).
    worker_views_record(
        workers=[certificate.worker],
        kind=WorkerView.Kind.PARTNER_API,
        viewer_kind=ViewerKind.PARTNER,
        viewer_label="上海市家政服务平台合作单位甲",
    )


@pytest.mark.parametrize(
    ("action", "kind", "label"),
    [
        (scan_certificate, WorkerView.Kind.CERTIFICATE_SCAN, "住户扫码"),
        (scan_live_code, WorkerView.Kind.LIVE_SCAN, "住户扫码"),
        (trace_lookup, WorkerView.Kind.LOOKUP, "公众查询"),
        (certificate_lookup, WorkerView.Kind.LOOKUP, "公众查询"),
        (full_record, WorkerView.Kind.FULL_RECORD, "住户扫码"),
        (agency_full_record, WorkerView.Kind.FULL_RECORD, "AGENCY"),
        (partner_read, WorkerView.Kind.PARTNER_API, "上海市家政服务平台合作单位甲"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_kind_of_view_is_logged_and_listed(
    action,
    kind,
    label,
    settings,
    household,
    certificate,
    worker_client,
    trace_page,  # noqa: F811
    lookup_page,
    agency_staff,
    login_staff,
):
    settings.TRUSTED_PROXY_COUNT = 1
    household.defaults["REMOTE_ADDR"] = "10.0.0.2"
    household.defaults["HTTP_X_FORWARDED_FOR"] = f"198.51.100.1, {CLIENT_IP}"
    from django.test import Client

    agency_client = login_staff(Client(), agency_staff)
    if label == "AGENCY":
        label = agency_staff.agency_staff.agency.name
    action(
        household,
        certificate,
        trace_page=trace_page,
        lookup_page=lookup_page,
        worker_client=worker_client,
        agency_client=agency_client,
    )
    rows = list(WorkerView.objects.filter(worker=certificate.worker, kind=kind))
    assert len(rows) == 1, [(r.kind, r.viewer_label) for r in WorkerView.objects.all()]
    row = rows[0]
    if label:
        assert row.viewer_label == label
    # No address, only its keyed hash.
    for field in ("viewer_label", "client_hash"):
        assert CLIENT_IP not in getattr(row, field)
    if kind in (WorkerView.Kind.CERTIFICATE_SCAN, WorkerView.Kind.LIVE_SCAN):
        from consent.services import keyed_hash

        assert row.client_hash == keyed_hash("client", CLIENT_IP)
    page = worker_client.get("/me/views/").content.decode()
    assert row.get_kind_display() in page and row.viewer_label in page


def test_the_list_is_newest_first(worker, worker_client):
    import datetime

    from django.utils import timezone

    import time_machine

    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2), tick=False):
        worker_views_record(workers=[worker], kind=WorkerView.Kind.LOOKUP)
    worker_views_record(workers=[worker], kind=WorkerView.Kind.CERTIFICATE_SCAN)
    page = worker_client.get("/me/views/").content.decode()
    assert page.index("扫描纸质证书二维码") < page.index("家政员查询结果")


def test_a_reload_of_the_verify_page_within_half_a_minute_logs_once(household, certificate):
    for _ in range(3):
        household.get(f"/consent/seen/{certificate.token}.gif")
    assert WorkerView.objects.count() == 1


def test_the_beacon_is_private_and_the_same_for_any_token(household, certificate):
    known = household.get(f"/consent/seen/{certificate.token}.gif")
    unknown = household.get("/consent/seen/no-such-token.gif")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content and known["Content-Type"] == "image/gif"
    assert "no-store" in known["Cache-Control"] and "no-store" in unknown["Cache-Control"]
