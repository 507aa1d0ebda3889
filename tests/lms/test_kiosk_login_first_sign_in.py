"""A login made at a station's kiosk (no number on it) is not opened by an SMS code
alone: the first sign-in by phone still asks for the ID tail, then the login answers
to the number (#27)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from registry.services.signin import worker_link_login
from tests.lms.sms import clear_outbox, last_code
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

SEND = reverse("accounts:code_send")
CODE = reverse("accounts:code_login")
CONFIRM = reverse("accounts:code_confirm")


@pytest.fixture
def kiosk_worker():
    clear_outbox()
    worker = ApprovedWorkerFactory(phone="13912360001")
    login = get_user_model().objects.create(username=f"kiosk-{worker.pk}", name=worker.name)
    worker_link_login(worker=worker, login=login)
    return worker


def test_the_number_alone_does_not_open_a_kiosk_login(client, kiosk_worker):
    client.post(SEND, {"phone": "13912360001"})
    response = client.post(CODE, {"code": last_code("13912360001")})
    assert response.status_code == 302 and response.url == CONFIRM
    assert "_auth_user_id" not in client.session
    wrong = "0000" if kiosk_worker.id_last4 != "0000" else "1111"
    client.post(CONFIRM, {"id_last4": wrong})
    assert "_auth_user_id" not in client.session


def test_the_id_tail_proves_it_and_the_login_then_answers_to_the_number(client, kiosk_worker):
    client.post(SEND, {"phone": "13912360001"})
    client.post(CODE, {"code": last_code("13912360001")})
    response = client.post(CONFIRM, {"id_last4": kiosk_worker.id_last4})
    assert response.url == "/me/"
    kiosk_worker.refresh_from_db()
    login = kiosk_worker.user
    assert login.username == f"kiosk-{kiosk_worker.pk}" and login.phone == "13912360001"
    assert client.session["_auth_user_id"] == str(login.pk)
    assert get_user_model().objects.filter(name=kiosk_worker.name).count() == 1
