"""A household's complaint on a 360×740 phone: confirm entry, get the rating link by SMS
(the console outbox), open it later without JavaScript, complain with a photo, get the
tracking number by SMS, follow it on the status page."""

import datetime
import re

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from lms.notifications import ConsoleSMSBackend
from tests.complaints.factories import photo_bytes
from tests.e2e.a11y import axe_violations, describe
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 360, "height": 740}
HOUSEHOLD = "13812345678"


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def sms_to(phone: str) -> list[str]:
    return [message for to, message in ConsoleSMSBackend.outbox if to == phone]


def local(base: str, url: str) -> str:
    """An SMS names SITE_URL; the test server listens elsewhere."""
    return base + "/" + url.split("/", 3)[3]


def test_confirm_sms_rate_link_complaint_and_tracking(
    live_server, browser, settings, screenshot, tmp_path
):
    settings.SMS_BACKEND = "lms.notifications.ConsoleSMSBackend"
    ConsoleSMSBackend.outbox.clear()
    base = live_server.url
    worker = ApprovedWorkerFactory(
        name="陈美玲", health_check_expiry=timezone.localdate() + datetime.timedelta(days=200)
    )
    factories.insurance(worker)
    certificate = factories.certificate(worker)

    # At the door: the household scans the printed code and confirms entry.
    door = browser.new_context(viewport=PHONE, locale="zh-CN")
    scan = door.new_page()
    scan.goto(f"{base}/v/{certificate.token}/")
    scan.get_by_role("link", name="确认服务员已上门").click()
    scan.get_by_label("服务所在区").select_option("xuhui")
    scan.get_by_label("你的手机号（可不填）").fill(HOUSEHOLD)
    scan.get_by_role("button", name="确认上门").click()
    expect(scan.locator(".alert--success")).to_contain_text("已确认上门")
    door.close()

    # The SMS carries the rating link, which also leads to the complaint form.
    [confirm_sms] = sms_to(HOUSEHOLD)
    rating_url = re.search(r"https?://\S+/v/rate/[\w-]+/", confirm_sms).group(0)
    assert "陈美玲" not in confirm_sms

    later = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    phone = later.new_page()
    phone.goto(local(base, rating_url))
    phone.get_by_role("link", name="对这次服务不满意？我要投诉").click()
    expect(phone.locator("h1")).to_have_text("我要投诉")
    assert "陈美玲" not in phone.content()
    phone.get_by_label("财物损坏或丢失").check()
    phone.get_by_label("投诉内容").fill("打扫时碰倒了落地灯，灯罩破损，离开时没有说明。")
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(photo_bytes(size=(1200, 900)))
    phone.locator("input[type=file]").set_input_files(str(photo))
    phone.get_by_label("联系手机").fill(HOUSEHOLD)
    no_overflow(phone)
    screenshot("complaints-form-360")
    phone.get_by_role("button", name="提交投诉").click()
    expect(phone.locator("h1")).to_have_text("投诉已受理")
    complaint = Complaint.objects.get()
    expect(phone.locator(".complaint__number")).to_have_text(complaint.number)
    assert complaint.worker == worker and complaint.photos.count() == 1
    no_overflow(phone)

    # The tracking number arrives by SMS; its link opens the status page.
    tracking_sms = sms_to(HOUSEHOLD)[-1]
    assert complaint.number in tracking_sms and HOUSEHOLD not in tracking_sms
    tracking_url = re.search(r"https?://\S+/complaints/track/\?number=[\w-]+", tracking_sms)
    phone.goto(local(base, tracking_url.group(0)))
    expect(phone.get_by_label("投诉编号")).to_have_value(complaint.number)
    phone.get_by_label("手机号后四位").fill(HOUSEHOLD[-4:])
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator(".complaint__status")).to_contain_text("已受理")
    content = phone.content()
    assert "陈*玲" in content and "陈美玲" not in content
    assert "138****5678" in content and HOUSEHOLD not in content
    no_overflow(phone)
    screenshot("complaints-tracking-360")
    later.close()

    # The status page with its answer is reached only through its form: axe (which needs
    # JavaScript in the page) checks it here, in a context with scripts on.
    checker = browser.new_context(viewport=PHONE, locale="zh-CN")
    status = checker.new_page()
    status.goto(local(base, tracking_url.group(0)))
    status.get_by_label("手机号后四位").fill(HOUSEHOLD[-4:])
    status.get_by_role("button", name="查询").click()
    expect(status.locator(".complaint__status")).to_contain_text("已受理")
    violations = axe_violations(status)
    assert not violations, describe(violations)
    checker.close()
