"""A household scans a certificate: the verification page at 360×740 in headless Chromium."""

import pytest

from certificates.services.revocation import certificate_revoke
from tests.certificates.factories import CertificateTypeFactory, give_photo, issue
from tests.registry.factories import ApprovedWorkerFactory

# Transactional, so the live server sees the data; serialized_rollback restores
# what migrations created (the page tree root, the default locale, the groups).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def eager(settings):
    from lms.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def test_verify_page_at_phone_size_shows_status_and_masked_holder(
    live_server, page, screenshot, eager
):
    worker = give_photo(ApprovedWorkerFactory(name="李秀英"))
    certificate = issue(CertificateTypeFactory(seal=False), worker=worker)

    page.goto(f"{live_server.url}/v/{certificate.token}/")
    banner = page.locator(".status-banner")
    assert banner.is_visible()
    assert "有效" in banner.inner_text()
    assert page.get_by_text("李*英").first.is_visible()
    assert "李秀英" not in page.content()
    photo = page.locator("img.cert-verify__photo")
    assert photo.evaluate("img => img.naturalWidth") > 0
    # Big enough to read at arm's length, and nothing overflows sideways.
    size = banner.locator(".status-banner__label").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert size >= 32
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("certificates-verify-valid-360")

    certificate_revoke(certificate=certificate, acting_user=None, reason="严重违规")
    page.reload()
    assert "已撤销" in page.locator(".status-banner").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("certificates-verify-revoked-360")


def test_unknown_token_says_not_found_without_javascript(live_server, browser, screenshot):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    response = page.goto(f"{live_server.url}/v/{'x' * 32}/")
    assert response.status == 404
    assert "未找到证书" in page.locator(".status-banner").inner_text()
    screenshot_page = page.screenshot(full_page=True)
    assert screenshot_page
    context.close()
