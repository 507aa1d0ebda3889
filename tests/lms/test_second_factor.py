"""Staff cannot reach the admin or staff pages without a verified second factor."""

from django.urls import reverse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts.roles import Role
from tests.lms.factories import PASSWORD, StaffUserFactory, WorkerUserFactory, give_backup_codes

pytestmark = pytest.mark.django_db


def _totp_now(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_login(client, username):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD}, follow=False
    )


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/agency/", "/review/anything/"])
def test_staff_without_verified_device_is_sent_to_verify(client, path):
    user = StaffUserFactory(roles=[Role.REVIEWER])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _password_login(client, user.username)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_staff_without_any_device_is_sent_to_enrol(client):
    user = StaffUserFactory()
    _password_login(client, user.username)
    response = client.get(reverse("accounts:otp_verify") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_login_sends_staff_to_the_second_step(client):
    user = StaffUserFactory()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = _password_login(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_staff_gets_in_after_a_totp_token(client):
    user = StaffUserFactory(roles=[Role.EDITOR])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _password_login(client, user.username)
    response = client.post(
        reverse("accounts:otp_verify"), {"token": _totp_now(device), "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_reused_totp_token_is_rejected(client):
    user = StaffUserFactory(roles=[Role.EDITOR])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    token = _totp_now(device)
    _password_login(client, user.username)
    assert client.post(reverse("accounts:otp_verify"), {"token": token}).status_code == 302

    other = client.__class__()
    _password_login(other, user.username)
    response = other.post(reverse("accounts:otp_verify"), {"token": token})
    assert response.status_code == 200
    assert "验证码不正确或已使用过" in response.content.decode()
    assert other.get("/admin/").status_code == 302


def test_a_backup_code_works_once(client):
    user = StaffUserFactory(roles=[Role.EDITOR])
    give_backup_codes(user, ["87654321"])
    _password_login(client, user.username)
    assert client.post(reverse("accounts:otp_verify"), {"token": "87654321"}).status_code == 302

    other = client.__class__()
    _password_login(other, user.username)
    assert other.post(reverse("accounts:otp_verify"), {"token": "87654321"}).status_code == 200


def test_enrolment_confirms_the_device_and_shows_backup_codes(client):
    user = StaffUserFactory(roles=[Role.EDITOR])
    _password_login(client, user.username)
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": _totp_now(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert len(response.context["codes"]) == 10
    assert client.get("/admin/").status_code == 200


def test_password_alone_cannot_add_a_second_device(client):
    user = StaffUserFactory()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _password_login(client, user.username)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_workers_sign_in_by_phone_without_a_second_factor(client):
    user = WorkerUserFactory()
    response = _password_login(client, user.phone)
    assert response.status_code == 302
    assert not user.requires_second_factor
    assert client.get("/admin/").status_code == 302  # no admin access, but not the OTP page
    assert not client.get("/admin/")["Location"].startswith(reverse("accounts:otp_verify"))
