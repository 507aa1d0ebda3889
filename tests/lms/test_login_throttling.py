"""Repeated failed sign-ins lock out the account from that client, without revealing either.

The pair is locked, never the account or the client alone: see test_login_lockout_combination.
"""

from django.urls import reverse

import pytest

from tests.lms.factories import PASSWORD, WorkerUserFactory

pytestmark = pytest.mark.django_db


def _attempt(client, username, password="wrong-password", ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_wrong_password_and_unknown_account_give_the_same_message(client):
    user = WorkerUserFactory()
    known = _attempt(client, user.phone).content.decode()
    unknown = _attempt(client, "13999999999", ip="10.0.0.2").content.decode()
    message = "手机号/用户名或密码不正确"
    assert message in known and message in unknown


def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client, settings):
    user = WorkerUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, user.phone, ip="10.0.1.1")
    response = _attempt(client, user.phone, password=PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_lockout_page_is_the_same_for_unknown_accounts(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = _attempt(client, "13711112222", ip="10.0.3.1")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
