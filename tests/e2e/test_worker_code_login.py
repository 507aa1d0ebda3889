"""A freshly filed worker signs in on a 360 px phone with an SMS code and lands on /me/."""

import pytest
from playwright.sync_api import expect

from registry.models import Worker
from tests.lms.sms import clear_outbox, last_code
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_code_sign_in_end_to_end(live_server, page, screenshot):
    clear_outbox()
    worker = WorkerFactory(phone="13811112222")  # filed by an agency, no login yet
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=phone]").fill("138 1111 2222")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(f"{base}/accounts/login/code/")
    expect(page.get_by_text("验证码已发送到 138****2222")).to_be_visible()
    # The resend button counts down instead of letting the worker hammer it.
    expect(page.get_by_role("button", name="秒后可重新获取")).to_be_disabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("code-login-phone")

    page.get_by_label("短信验证码").fill(last_code("13811112222"))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/accounts/login/code/confirm/")
    page.get_by_label("身份证号后四位").fill(worker.id_last4)
    page.get_by_role("button", name="确认并登录").click()
    page.wait_for_url(f"{base}/me/")
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("code-login-landed")
    assert Worker.objects.get(pk=worker.pk).user is not None
