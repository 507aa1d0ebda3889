"""A worker's mobile number changes (by the worker, or by the agency); the old one stops at once."""

from django.urls import reverse

import pytest

from registry.models import Worker
from registry.services.signin import worker_change_phone
from registry.services.workers import worker_update
from tests.lms.sms import clear_outbox, last_code
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db

SEND = reverse("accounts:code_send")
CODE = reverse("accounts:code_login")
CONFIRM = reverse("accounts:code_confirm")
MY_PHONE = reverse("registry:my_phone")


@pytest.fixture(autouse=True)
def _empty_outbox(settings):
    clear_outbox()
    # These tests send several codes to one number within a minute; the limits have their own.
    settings.SMS_CODE_LIMITS_PER_PHONE = "20/60"
    settings.SMS_CODE_LIMITS_PER_CLIENT = "50/60"


def sign_in(client, phone, worker=None):
    client.post(SEND, {"phone": phone})
    response = client.post(CODE, {"code": last_code(phone)})
    if response.status_code == 302 and response.url == CONFIRM:
        response = client.post(CONFIRM, {"id_last4": worker.id_last4})
    return response


def test_the_worker_changes_their_number_with_a_code_sent_to_the_new_one(client, django_user_model):
    worker = ApprovedWorkerFactory(phone="13300000001")
    assert sign_in(client, "13300000001", worker).url == "/me/"
    response = client.post(MY_PHONE, {"step": "send", "phone": "133 0000 0002"})
    assert response.status_code == 302
    assert "13300000002" not in client.get(MY_PHONE).content.decode()
    response = client.post(MY_PHONE, {"step": "code", "code": last_code("13300000002")})
    assert response.status_code == 302 and response.url == reverse("registry:my_record")
    worker.refresh_from_db()
    assert worker.phone == "13300000002" and worker.user.phone == "13300000002"

    # The old number now opens nothing; the new one signs straight in.
    other = client.__class__()
    response = sign_in(other, "13300000001")
    assert "您的手机号还没有备案" in response.content.decode()
    assert "_auth_user_id" not in other.session
    assert sign_in(client.__class__(), "13300000002").url == "/me/"


def test_a_code_for_the_new_number_must_be_right(client):
    worker = ApprovedWorkerFactory(phone="13300000003")
    sign_in(client, "13300000003", worker)
    client.post(MY_PHONE, {"step": "send", "phone": "13300000004"})
    code = last_code("13300000004")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(MY_PHONE, {"step": "code", "code": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert Worker.objects.get(pk=worker.pk).phone == "13300000003"


def test_a_number_another_login_has_is_refused(client):
    worker = ApprovedWorkerFactory(phone="13300000005")
    taken = ApprovedWorkerFactory(phone="13300000006")
    sign_in(client, "13300000006", taken)
    client.logout()
    sign_in(client, "13300000005", worker)
    client.post(MY_PHONE, {"step": "send", "phone": "13300000006"})
    response = client.post(MY_PHONE, {"step": "code", "code": last_code("13300000006")})
    assert "已经绑定了另一个账户" in response.content.decode()
    assert Worker.objects.get(pk=worker.pk).phone == "13300000005"


def test_the_agency_changing_the_number_on_the_filing_moves_the_login(client):
    worker = ApprovedWorkerFactory(phone="13300000007")
    sign_in(client, "13300000007", worker)
    worker.refresh_from_db()
    worker_update(worker=worker, phone="+86 133-0000-0008")
    worker.refresh_from_db()
    assert worker.phone == "13300000008" and worker.user.phone == "13300000008"
    response = sign_in(client.__class__(), "13300000007")
    assert "您的手机号还没有备案" in response.content.decode()


def test_unused_codes_of_the_old_number_die_with_the_change(client, settings):
    worker = ApprovedWorkerFactory(phone="13300000009")
    sign_in(client, "13300000009", worker)
    worker.refresh_from_db()
    stranger = client.__class__()
    stranger.post(SEND, {"phone": "13300000009"})
    code = last_code("13300000009")
    worker_change_phone(worker=worker, phone="13300000010")
    response = stranger.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in stranger.session
