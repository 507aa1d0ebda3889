"""Two phones at 360×740: the household asks to see the full record, the worker sees the same
matching number on /me/code/ and consents (or refuses, or lets it time out); a withdrawal
brings the household back to the masked page."""

import datetime

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from consent.models import WorkerView
from tests.e2e.a11y import axe_violations, describe
from tests.e2e.steps import sign_in_worker
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 360, "height": 740}


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def certificate(settings):
    settings.CONSENT_POLL_SECONDS = 1
    worker = ApprovedWorkerFactory(
        name="陈美玲",
        user=WorkerUserFactory(),
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200),
    )
    factories.insurance(worker)
    return factories.certificate(worker)


@pytest.fixture
def phones(live_server, page, browser, certificate):
    """(worker's page on /me/code/, household's page on the masked verify page)."""
    base = live_server.url
    # A worker who is not signed in gets the sign-in page first.
    page.goto(base + "/me/code/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/me/code/")
    sign_in_worker(page, base, certificate.worker.user.phone, "/me/code/")
    household = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    household.goto(f"{base}/v/{certificate.token}/")
    expect(household.locator(".door")).to_be_visible()
    assert "陈美玲" not in household.content()
    household.get_by_role("button", name="请服务员授权查看完整档案").click()
    expect(household).to_have_url(base + "/consent/wait/")
    number = household.locator(".consent-number").inner_text().strip()
    assert len(number) == 6 and number.isdigit()
    # Within a few seconds, without reloading, the worker's page shows the same number.
    request = page.locator(".consent-request")
    expect(request).to_contain_text(number, timeout=8_000)
    expect(request).to_contain_text("住户扫码")
    no_overflow(page)
    no_overflow(household)
    return page, household


def assert_accessible(page):
    """No serious or critical axe violation (the pages with state the axe test cannot reach)."""
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_consent_opens_the_record_and_withdrawal_closes_it(live_server, phones, screenshot):
    worker_page, household = phones
    screenshot("consent-worker-request-360")
    assert_accessible(worker_page)  # the inbox with a request on /me/code/
    assert_accessible(household)  # the waiting page with the number
    worker_page.get_by_label("1 天").check()
    worker_page.get_by_role("button", name="同意", exact=True).click()
    expect(worker_page.locator(".alert--success")).to_contain_text("已同意")
    # The household's waiting page notices by itself and shows the full record.
    expect(household.locator("h1")).to_have_text("服务员完整档案", timeout=8_000)
    expect(household.locator(".consent-record__name")).to_have_text("陈美玲")
    assert household.url.removeprefix(live_server.url) == "/consent/record/"
    no_overflow(household)
    household.screenshot(path="test-artifacts/consent-household-record-360.png", full_page=True)
    assert WorkerView.objects.filter(kind=WorkerView.Kind.FULL_RECORD).exists()
    assert_accessible(household)  # the full record
    # The worker sees the view and the open grant, and withdraws it.
    worker_page.goto(live_server.url + "/me/views/")
    expect(worker_page.locator(".consent-view").first).to_contain_text("住户扫码")
    worker_page.get_by_role("button", name="撤回给住户扫码的授权").click()
    expect(worker_page.locator(".alert--success")).to_contain_text("已撤回授权")
    no_overflow(worker_page)
    assert_accessible(worker_page)  # /me/views/ with a view listed
    # The household's next request falls back to the masked page.
    household.reload()
    expect(household.locator(".consent-refused")).to_contain_text("服务员已撤回授权")
    assert "陈美玲" not in household.content()
    expect(household.locator(".door")).to_be_visible()


def test_a_refusal_leaves_the_household_on_the_masked_facts(phones):
    worker_page, household = phones
    worker_page.get_by_role("button", name="拒绝", exact=True).click()
    expect(worker_page.locator(".alert--success")).to_contain_text("已拒绝")
    expect(household.get_by_role("alert")).to_contain_text("拒绝了这次查看请求", timeout=8_000)
    assert "陈美玲" not in household.content()
    household.get_by_role("link", name="返回查验结果").click()
    expect(household.locator(".door")).to_be_visible()


def test_an_unanswered_request_times_out(settings, live_server, page, browser, certificate):
    settings.CONSENT_REQUEST_SECONDS = 3
    base = live_server.url
    sign_in_worker(page, base, certificate.worker.user.phone, "/me/code/")
    household = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    household.goto(f"{base}/v/{certificate.token}/")
    household.get_by_role("button", name="请服务员授权查看完整档案").click()
    number = household.locator(".consent-number").inner_text().strip()
    expect(page.locator(".consent-request")).to_contain_text(number, timeout=8_000)
    # Nobody answers: the household is told, and the worker's inbox empties by itself.
    expect(household.get_by_role("alert")).to_contain_text("请求已过期", timeout=10_000)
    expect(page.locator(".consent-request")).to_have_count(0, timeout=8_000)
    assert "陈美玲" not in household.content()
