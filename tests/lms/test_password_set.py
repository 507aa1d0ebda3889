"""A worker may set a password after an SMS sign-in, then sign in with number + password."""

from django.urls import reverse

import pytest

from tests.lms.factories import PASSWORD, StaffUserFactory
from tests.lms.sms import clear_outbox, last_code
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    clear_outbox()


def test_password_set_after_code_sign_in_then_used(client):
    worker = ApprovedWorkerFactory(phone="13200000001")
    client.post(reverse("accounts:code_send"), {"phone": "13200000001"})
    client.post(reverse("accounts:code_login"), {"code": last_code("13200000001")})
    client.post(reverse("accounts:code_confirm"), {"id_last4": worker.id_last4})
    response = client.post(
        reverse("accounts:password_set"),
        {"new_password1": "jiazheng-Ai-2026", "new_password2": "jiazheng-Ai-2026"},
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "13200000001", "password": "jiazheng-Ai-2026"}
    )
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_a_weak_password_is_refused_in_chinese(client):
    worker = ApprovedWorkerFactory(phone="13200000002")
    client.post(reverse("accounts:code_send"), {"phone": "13200000002"})
    client.post(reverse("accounts:code_login"), {"code": last_code("13200000002")})
    client.post(reverse("accounts:code_confirm"), {"id_last4": worker.id_last4})
    response = client.post(
        reverse("accounts:password_set"), {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "field__error" in response.content.decode()


def test_after_a_password_sign_in_the_old_password_is_asked(client, login_staff):
    staff = StaffUserFactory()
    login_staff(client, staff)
    page = client.get(reverse("accounts:password_set")).content.decode()
    assert 'name="old_password"' in page
    response = client.post(
        reverse("accounts:password_set"),
        {
            "old_password": "wrong",
            "new_password1": "x-Y-z-2026-ok",
            "new_password2": "x-Y-z-2026-ok",
        },
    )
    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
