"""Staff who forgot their password reset it by e-mail; the second factor still follows."""

import re

from django.core import mail
from django.urls import reverse

import pytest

from tests.lms.factories import StaffUserFactory, TOTPDeviceFactory

pytestmark = pytest.mark.django_db


def test_reset_by_email_then_sign_in_still_asks_for_the_second_factor(client):
    staff = StaffUserFactory(email="reviewer@jz.example.cn")
    TOTPDeviceFactory(user=staff)
    response = client.post(reverse("accounts:password_reset"), {"email": "reviewer@jz.example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # a reset never signs in

    response = client.post(
        reverse("accounts:login"), {"username": staff.username, "password": "Xin-mima-2026!"}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_verify"))
    assert client.get("/admin/").status_code == 302  # held at the second factor


def test_an_unknown_address_gets_the_same_answer(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
