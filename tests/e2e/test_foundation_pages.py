"""The home page and the login page work on a 360 px phone in headless Chromium."""

import pytest

from cms.demo import home_page_ensure

# Transactional, so the live server sees the data; serialized_rollback restores
# what migrations created (the page tree root, the default locale, the groups).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_home_and_login_pages_at_phone_size(live_server, page, screenshot):
    home_page_ensure()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").first.is_visible()
    # Nothing overflows the 360 px viewport sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("home-360")

    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_label("手机号或用户名").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("login-360")


def test_language_switch_to_english_without_javascript(live_server, browser, screenshot):
    home_page_ensure()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Sign in").is_visible()
    context.close()
