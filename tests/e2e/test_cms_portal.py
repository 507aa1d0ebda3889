"""A visitor on a 360 px phone walks home → news item → search, without anything overflowing."""

import pytest

from lms import demo as lms_demo
from lms.demo import DemoContext

# Transactional, so the live server sees the data; serialized_rollback restores
# what migrations created (the page tree root, the default locale, the groups).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def portal():
    from cms import demo

    ctx = DemoContext(password="demo-pass")
    lms_demo.seed(ctx)
    demo.seed(ctx)
    return ctx


def test_home_to_news_item_to_search_at_phone_size(live_server, page, screenshot, portal):
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "学技能，考证书，安心上门"
    assert page.get_by_role("link", name="证书查验").first.is_visible()
    _no_sideways_scroll(page)
    screenshot("cms-home-360")

    page.get_by_role("link", name="上门服务证线上培训考核规则（试行）", exact=True).click()
    page.wait_for_url("**/news/online-exam-rules-trial/")
    assert page.locator("h1").inner_text() == "上门服务证线上培训考核规则（试行）"
    assert page.get_by_text("家政平台〔2024〕1号").first.is_visible()
    assert page.get_by_text("本文件已被替代").is_visible()
    assert page.get_by_role("button", name="打印本页").is_visible()  # shown by cms/print.js
    _no_sideways_scroll(page)
    screenshot("cms-news-item-360")

    page.get_by_role("navigation", name="账户").get_by_role("link", name="搜索").click()
    page.get_by_label("搜索关键词").fill("上门服务证")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")
    results = page.locator(".search-result__title")
    assert results.count() >= 2
    assert page.get_by_role("link", name="上门服务证线上培训和考试全面开通").is_visible()
    _no_sideways_scroll(page)
    screenshot("cms-search-360")


def test_news_index_filters_and_faq_accordion_work_without_javascript(live_server, browser, portal):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server.url + "/news/")
    page.get_by_role("link", name="政策法规").click()
    assert page.locator(".news-item").count() == 3
    page.get_by_label("年份").select_option("2025")
    page.get_by_role("button", name="筛选").click()
    assert page.locator(".news-item").count() == 1, page.content()[-3000:]

    page.goto(live_server.url + "/faq/")
    question = page.get_by_text("什么是上门服务证？")
    answer = page.get_by_text("家庭扫码就能确认证书真伪")
    assert not answer.is_visible()
    question.click()
    assert answer.is_visible()
    _no_sideways_scroll(page)
    context.close()
