"""City regulators manage a partner's webhook endpoints in the admin: add (the secret shown
once), rotate, disable and enable, delete, read the deliveries, replay a range. District
regulators and agency staff get nothing; every change is a POST."""

import datetime

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from lms.audit import audit_entries
from lms.outbox import Cursor, EventType, change_record
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.webhooks import services, triggers
from tests.partners.conftest import PartnerFactory
from tests.registry.factories import AgencyStaffFactory, RegulatorFactory

from .test_webhook_receiver import settle

URL = "https://8.8.8.8/hooks"


def base(partner):
    return f"/admin/partners/{partner.pk}/webhooks/"


@pytest.fixture
def city(login_staff):
    return login_staff(Client(), RegulatorFactory(district="").user)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["district", "agency"])
def test_others_are_kept_out(who, login_staff):
    user = RegulatorFactory().user if who == "district" else AgencyStaffFactory().user
    client = login_staff(Client(), user)
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    where = f"{base(partner)}{endpoint.pk}/"
    for url in (base(partner), f"{base(partner)}new/", f"{where}deliveries/", f"{where}replay/"):
        assert client.get(url).status_code in (302, 403), url
    for action in ("rotate", "disable", "enable", "delete", "replay"):
        response = client.post(f"{where}{action}/", {"reason": "x", "since": "2026-01-01T00:00"})
        assert response.status_code in (302, 403), action
    assert client.post(f"{base(partner)}new/", {"url": URL}).status_code in (302, 403)
    endpoint.refresh_from_db()
    assert endpoint.is_active and WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_another_partners_endpoint_is_not_found(city):
    mine, theirs = PartnerFactory(), PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=theirs, url=URL)
    where = f"{base(mine)}{endpoint.pk}/"
    assert city.post(f"{where}delete/").status_code == 404
    assert city.get(f"{where}deliveries/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.mark.django_db
def test_state_changes_are_post_only(city):
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    for action in ("rotate", "disable", "enable", "delete"):
        assert city.get(f"{base(partner)}{endpoint.pk}/{action}/").status_code == 405


@pytest.mark.django_db
def test_csrf_is_required(login_staff):
    client = login_staff(Client(enforce_csrf_checks=True), RegulatorFactory(district="").user)
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    assert client.post(f"{base(partner)}{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.mark.django_db
def test_add_shows_the_secret_once(city):
    partner = PartnerFactory()
    form = city.get(f"{base(partner)}new/").content.decode()
    assert str(EventType.LABELS[EventType.DOOR_CHANGED]) in form
    shown = city.post(
        f"{base(partner)}new/",
        {"url": URL, "event_types": [EventType.DOOR_CHANGED, EventType.CERTIFICATE_REVOKED]},
    )
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    secret = shown.context["secret"]
    assert secret.startswith("whsec_") and secret in shown.content.decode()
    endpoint = WebhookEndpoint.objects.get(partner=partner)
    assert endpoint.types == [EventType.CERTIFICATE_REVOKED, EventType.DOOR_CHANGED]
    listing = city.get(base(partner)).content.decode()
    assert URL in listing and secret not in listing
    assert "上门码颜色变化" in listing and "还没有推送" in listing
    assert audit_entries(partner).filter(action="partners.webhook_create").exists()
    # The partner's listing links here, as to its secrets.
    systems = city.get("/admin/partners/systems/").content.decode()
    assert base(partner) in systems


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://8.8.8.8/hooks", "必须以 https:// 开头"),
        ("https://127.0.0.1/hooks", "指向内网、本机或保留地址"),
        ("https://10.0.0.8/hooks", "指向内网、本机或保留地址"),
    ],
)
def test_bad_urls_are_refused_in_chinese(url, message, city):
    partner = PartnerFactory()
    response = city.post(f"{base(partner)}new/", {"url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_rotate_shows_the_new_secret_once(city):
    partner = PartnerFactory()
    endpoint, old = services.endpoint_create(partner=partner, url=URL)
    shown = city.post(f"{base(partner)}{endpoint.pk}/rotate/")
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    new = shown.context["secret"]
    assert new.startswith("whsec_") and new != old and new in shown.content.decode()
    assert new not in city.get(base(partner)).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.previous_secret_until is not None


@pytest.mark.django_db
def test_disable_with_a_reason_enable_and_delete(city):
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    where = f"{base(partner)}{endpoint.pk}/"

    refused = city.post(f"{where}disable/", {"reason": ""})
    assert "请填写原因" in " ".join(said(refused))
    endpoint.refresh_from_db()
    assert endpoint.is_active

    city.post(f"{where}disable/", {"reason": "合作方系统迁移"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "合作方系统迁移"
    listing = city.get(base(partner)).content.decode()
    assert "已停用" in listing and "合作方系统迁移" in listing

    city.post(f"{where}enable/")
    endpoint.refresh_from_db()
    assert endpoint.is_active and not endpoint.disabled_reason

    gone = city.post(f"{where}delete/")
    assert gone.status_code == 302
    assert "已删除" in " ".join(said(gone))
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert audit_entries(partner).filter(action="partners.webhook_delete").exists()


def _deliveries(endpoint, n):
    events = [change_record(EventType.CARD_ISSUED, data={"n": i}) for i in range(n)]
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            replay=i % 3 == 0,
            status=WebhookDelivery.Status.DELIVERED if i % 2 else WebhookDelivery.Status.FAILED,
            attempts=1,
            last_status=200 if i % 2 else 503,
            next_attempt_at=now,
        )
        for i, event in enumerate(events)
    )


@pytest.mark.django_db
def test_the_delivery_list_filters_pages_and_its_queries_stay_constant(city):
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    where = f"{base(partner)}{endpoint.pk}/deliveries/"
    _deliveries(endpoint, 3)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            response = city.get(where, params)
        assert response.status_code == 200
        return len(captured), response

    few, _page = queries()
    _deliveries(endpoint, 120)
    many, page = queries()
    assert many == few
    assert len(page.context["deliveries"]) == 50
    assert "上门码" not in page.content.decode() and "发放家政卡" in page.content.decode()
    assert queries(p=3)[1].context["page_obj"].number == 3

    failed = queries(status="failed")[1].context["deliveries"]
    assert {d.status for d in failed} == {"failed"}
    replays = queries(replay="1")[1].context["page_obj"].paginator.count
    assert replays == WebhookDelivery.objects.filter(endpoint=endpoint, replay=True).count()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert queries(date_from=tomorrow)[1].context["page_obj"].paginator.count == 0
    assert queries(date_to=tomorrow)[1].context["page_obj"].paginator.count == 123


@pytest.fixture
def no_pump(monkeypatch):
    """Deliveries stay queued: no worker sends them in these tests (nothing leaves)."""
    monkeypatch.setattr(services, "pump_after_commit", lambda: None)
    monkeypatch.setattr(triggers, "pump_soon", lambda: None)


def test_replay_by_cursor_and_by_time_says_how_many_were_queued(
    transactional_db, login_staff, no_pump
):
    city = login_staff(Client(), RegulatorFactory(district="").user)
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    events = [change_record(EventType.DOOR_CHANGED, data={"n": n}) for n in range(4)]
    for event in events:
        event.refresh_from_db()
    settle()
    where = f"{base(partner)}{endpoint.pk}/replay/"

    assert city.get(where).status_code == 200
    done = city.post(
        where, {"after": str(Cursor.of(events[0])), "through": str(Cursor.of(events[2]))}
    )
    assert done.status_code == 302 and done["Location"].endswith("/deliveries/")
    assert "已排入 2 条重放推送" in " ".join(said(done))
    replayed = WebhookDelivery.objects.filter(endpoint=endpoint, replay=True)
    assert {d.event_id for d in replayed} == {events[1].pk, events[2].pk}

    since = timezone.localtime(timezone.now() - datetime.timedelta(hours=1))
    done = city.post(where, {"since": since.strftime("%Y-%m-%dT%H:%M")})
    assert "已排入 4 条重放推送" in " ".join(said(done))
    assert audit_entries(partner).filter(action="partners.webhook_replay").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "请至少填写一个时间或游标"),
        ({"after": "abc"}, "游标格式不正确"),
        ({"since": "2026-12-02T00:00", "until": "2026-12-01T00:00"}, "结束时间应晚于开始时间"),
    ],
)
def test_replay_refusals_are_in_chinese(form, message, city, no_pump):
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    response = city.post(f"{base(partner)}{endpoint.pk}/replay/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookDelivery.objects.exists()


def test_a_replay_too_large_is_refused(transactional_db, login_staff, no_pump, monkeypatch):
    city = login_staff(Client(), RegulatorFactory(district="").user)
    monkeypatch.setattr(services, "REPLAY_MAX", 1)
    partner = PartnerFactory()
    endpoint, _secret = services.endpoint_create(partner=partner, url=URL)
    for n in range(2):
        change_record(EventType.DOOR_CHANGED, data={"n": n})
    settle()
    response = city.post(f"{base(partner)}{endpoint.pk}/replay/", {"after": "0.0"})
    assert response.status_code == 200
    assert "超过 1 个事件" in response.content.decode()
    assert not WebhookDelivery.objects.filter(replay=True).exists()
