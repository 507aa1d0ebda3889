"""A household looks a worker up by card number on a 360 px phone."""

import io
import re

import pytest
from PIL import Image

from cms.services import home_page_ensure
from registry.models import AgencyCreditLookupPage, WorkerTraceLookupPage
from registry.services.workers import worker_set_photo
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory, EmploymentFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (40, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def test_worker_trace_lookup_at_phone_size(live_server, page, screenshot):
    home = home_page_ensure()
    lookup = WorkerTraceLookupPage(
        title="家政服务员信息查询", slug="trace", intro="<p>输入家政卡号或姓名加身份证后四位。</p>"
    )
    home.add_child(instance=lookup)
    lookup.save_revision().publish()
    agency = AgencyFactory(name="上海徐汇安心家政服务有限公司")
    worker = ApprovedWorkerFactory(name="张小明", agency=agency, phone="13912345678")
    worker_set_photo(worker=worker, data=_photo())
    EmploymentFactory(worker=worker, agency=agency)

    page.goto(live_server.url + lookup.url)
    assert page.locator("h1").inner_text() == "家政服务员信息查询"
    page.get_by_label("家政卡号").fill(worker.card_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector(".lookup__results")
    results = page.locator(".lookup__results")
    assert "张*明" in results.inner_text()
    assert "上海徐汇安心家政服务有限公司" in results.inner_text()
    assert page.locator(".trace__photo").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    html = page.content()
    assert not re.search(r"\d{17}[\dXx]", html)
    assert not re.search(r"1[3-9]\d{9}", html)
    assert "张小明" not in html
    screenshot("registry-trace-hit-360")

    page.get_by_label("家政卡号").fill("SHJZ99999999")
    page.get_by_role("button", name="查询").click()
    assert "没有找到符合条件的已登记家政服务员" in page.locator(".lookup__results").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("registry-trace-miss-360")


def test_agency_credit_lookup_at_phone_size(live_server, page, screenshot):
    home = home_page_ensure()
    lookup = AgencyCreditLookupPage(title="家政企业信用查询", slug="agency-credit")
    home.add_child(instance=lookup)
    lookup.save_revision().publish()
    agency = AgencyFactory(
        name="上海静安福嫂家政服务有限公司", is_demonstration_station=True, demonstration_year=2016
    )
    page.goto(live_server.url + lookup.url)
    page.get_by_label("企业名称或统一社会信用代码").fill(agency.credit_code)
    page.get_by_role("button", name="查询").click()
    text = page.locator(".lookup__results").inner_text()
    assert "上海静安福嫂家政服务有限公司" in text and "示范性家政服务站" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("registry-agency-credit-360")
