"""At the door, on 360×740 phones: the worker shows a live code, the household scans it,
confirms entry, and later rates the visit through the one-time link."""

import datetime

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from registry.models import ServiceVisit, VisitRating
from tests.e2e.steps import sign_in_worker
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 360, "height": 740}


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def worker(settings):
    # A short-lived code, so the page refreshes it within the test.
    settings.CERTIFICATES_LIVE_CODE_SECONDS = 15
    worker = ApprovedWorkerFactory(
        name="陈美玲",
        user=WorkerUserFactory(),
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200),
    )
    factories.insurance(worker)
    factories.certificate(worker)
    return worker


def test_live_code_confirm_entry_and_rate_later(live_server, page, browser, screenshot, worker):
    base = live_server.url
    # The worker signs in and opens the live code.
    sign_in_worker(page, base, worker.user.phone, "/me/code/")
    qr = page.locator(".live-code__qr")
    expect(qr.locator("svg")).to_be_visible()
    first_url = qr.get_attribute("data-live-url")
    assert "/v/live/" in first_url
    no_overflow(page)
    screenshot("trust-live-code-360")
    # It refreshes itself: a new code within a few seconds.
    expect(qr).not_to_have_attribute("data-live-url", first_url, timeout=10_000)
    live_url = qr.get_attribute("data-live-url")

    def on_server(url):  # the code names SITE_URL; the test server listens elsewhere
        return base + "/v/" + url.split("/v/", 1)[1]

    # The household scans it (its own phone: no session).
    household = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = household.new_page()
    phone.goto(on_server(live_url))
    door = phone.locator(".door")
    expect(door).to_contain_text("绿码")
    expect(phone.locator(".live-proof")).to_contain_text("动态码核验通过")
    assert "陈美玲" not in phone.content()
    no_overflow(phone)
    screenshot_path = phone.screenshot(full_page=True)
    assert screenshot_path

    # Confirm entry.
    phone.get_by_role("link", name="确认服务员已上门").click()
    phone.get_by_label("服务所在区").select_option("xuhui")
    phone.get_by_label("你的手机号（可不填）").fill("13812345678")
    no_overflow(phone)
    phone.get_by_role("button", name="确认上门").click()
    expect(phone.locator(".alert--success")).to_contain_text("已确认上门")
    rating_url = phone.url
    assert "/v/rate/" in rating_url and "13812345678" not in phone.content()
    visit = ServiceVisit.objects.get(worker=worker)
    assert visit.scanned_via == ServiceVisit.ScannedVia.LIVE
    assert visit.contact_masked == "138****5678"
    no_overflow(phone)
    household.close()

    # A screenshot of the same code, opened elsewhere, is refused.
    other = browser.new_context(viewport=PHONE, locale="zh-CN")
    replay = other.new_page()
    response = replay.goto(on_server(live_url))
    assert response.status == 410
    expect(replay.locator(".live-refused__message")).to_contain_text("不能再次使用")
    no_overflow(replay)
    other.close()

    # Later, the household rates the visit through the one-time link.
    later = browser.new_context(viewport=PHONE, locale="zh-CN")
    rate = later.new_page()
    rate.goto(rating_url.split("?")[0])
    rate.get_by_label("5 星 · 非常满意").check()
    rate.get_by_label("评价内容（可不填）").fill("准时上门，做事细致。")
    no_overflow(rate)
    rate.get_by_role("button", name="提交评价").click()
    expect(rate.locator(".visit-rate__done")).to_contain_text("已经评价过了")
    rating = VisitRating.objects.get(visit=visit)
    assert rating.stars == 5 and rating.status == VisitRating.Status.PENDING
    no_overflow(rate)
    later.close()
