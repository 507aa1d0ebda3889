"""A filed worker signs in with their mobile number and a 6-digit SMS code (验证码登录)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest
import time_machine

from lms.accounts.models import SMSCode
from lms.audit import audit_entries
from registry.models import FilingStatus
from tests.lms.factories import StaffUserFactory
from tests.lms.sms import clear_outbox, last_code, messages_to
from tests.registry.factories import ApprovedWorkerFactory, WorkerFactory

pytestmark = pytest.mark.django_db

SEND = reverse("accounts:code_send")
CODE = reverse("accounts:code_login")
CONFIRM = reverse("accounts:code_confirm")


@pytest.fixture(autouse=True)
def _empty_outbox():
    clear_outbox()


def ask_code(client, phone):
    return client.post(SEND, {"phone": phone})


def test_first_sign_in_activates_the_filed_workers_login(client):
    worker = WorkerFactory(phone="13912340001", status=FilingStatus.APPROVED)
    assert worker.user is None
    ask_code(client, "139 1234 0001")
    response = client.post(CODE, {"code": last_code("13912340001")})
    assert response.status_code == 302 and response.url == CONFIRM
    response = client.post(CONFIRM, {"id_last4": worker.id_last4.lower()})
    assert response.status_code == 302 and response.url == "/me/"
    worker.refresh_from_db()
    login = worker.user
    assert login is not None and login.phone == "13912340001"
    assert not login.has_usable_password()
    assert client.session["_auth_user_id"] == str(login.pk)
    assert any(e.action == "registry.worker_link_login" for e in audit_entries(worker))
    assert client.get("/me/").status_code == 200


def test_a_wrong_id_tail_opens_nothing_and_runs_out(client):
    worker = WorkerFactory(phone="13912340002")
    ask_code(client, "13912340002")
    client.post(CODE, {"code": last_code("13912340002")})
    wrong = "0000" if worker.id_last4 != "0000" else "1111"
    for _ in range(5):
        response = client.post(CONFIRM, {"id_last4": wrong})
    assert "_auth_user_id" not in client.session
    response = client.post(CONFIRM, {"id_last4": worker.id_last4})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    worker.refresh_from_db()
    assert worker.user is None


def test_an_activated_worker_signs_in_with_the_code_alone(client, settings):
    settings.SMS_CODE_LIMITS_PER_PHONE = "5/60"
    worker = WorkerFactory(phone="13912340003")
    ask_code(client, "13912340003")
    client.post(CODE, {"code": last_code("13912340003")})
    client.post(CONFIRM, {"id_last4": worker.id_last4})
    client.logout()
    ask_code(client, "+86 13912340003")
    response = client.post(CODE, {"code": last_code("13912340003")})
    assert response.status_code == 302 and response.url == "/me/"
    assert client.session["_auth_user_id"] == str(
        get_user_model().objects.get(phone="13912340003").pk
    )


def test_a_worker_not_yet_approved_can_sign_in_and_sees_what_is_missing(client):
    worker = WorkerFactory(
        phone="13912340004",
        status=FilingStatus.RETURNED,
        health_check_expiry=None,
        health_check_date=None,
    )
    ask_code(client, "13912340004")
    client.post(CODE, {"code": last_code("13912340004")})
    client.post(CONFIRM, {"id_last4": worker.id_last4})
    page = client.get("/me/").content.decode()
    assert "退回修改" in page
    assert "照片不清晰" in page  # the reviewer's words
    assert "有效的体检证明" in page


def test_a_number_with_no_filing_gets_the_plain_page_after_the_code(client, settings):
    ask_code(client, "13912349999")
    response = client.post(CODE, {"code": last_code("13912349999")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "您的手机号还没有备案" in page
    assert "13912349999" not in page  # masked
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(phone="13912349999").exists()


def test_a_code_is_single_use(client):
    ApprovedWorkerFactory(phone="13912340005")
    ask_code(client, "13912340005")
    code = last_code("13912340005")
    client.post(CODE, {"code": code})
    other = client.__class__()
    other.post(SEND, {"phone": "13912340005"})  # limited: no new code within 60 s
    session = other.session
    session["sms_login"] = {"phone": "13912340005", "next": "/me/"}
    session.save()
    response = other.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "验证码不正确或已过期" in response.content.decode()


def test_a_code_expires_after_five_minutes(client):
    ApprovedWorkerFactory(phone="13912340006")
    with time_machine.travel("2026-12-07 10:00:00+08:00", tick=False):
        ask_code(client, "13912340006")
        code = last_code("13912340006")
    with time_machine.travel("2026-12-07 10:05:01+08:00", tick=False):
        response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_code_dies_after_five_wrong_guesses(client):
    ApprovedWorkerFactory(phone="13912340007")
    ask_code(client, "13912340007")
    code = last_code("13912340007")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post(CODE, {"code": wrong}).status_code == 400
    assert client.post(CODE, {"code": code}).status_code == 400
    assert SMSCode.objects.get(phone="13912340007").failed_attempts == 5


def test_codes_are_stored_hashed(client):
    ApprovedWorkerFactory(phone="13912340008")
    ask_code(client, "13912340008")
    code = last_code("13912340008")
    row = SMSCode.objects.get(phone="13912340008")
    assert len(row.code_hash) == 64 and row.code_hash != code
    assert code not in {str(value) for value in vars(row).values()}


def test_staff_cannot_skip_password_and_second_factor_by_code(client):
    StaffUserFactory(phone="13912340009")
    ask_code(client, "13912340009")
    response = client.post(CODE, {"code": last_code("13912340009")})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_malformed_number_is_refused_in_chinese(client):
    response = client.post(SEND, {"phone": "12345"})
    assert response.status_code == 400
    assert "请输入 11 位手机号码" in response.content.decode()
    assert not messages_to("12345")


def test_sign_in_pages_are_never_stored_by_a_shared_cache(client):
    ask_code(client, "13912340010")
    response = client.get(CODE)
    assert "no-store" in response["Cache-Control"]
    assert "13912340010" not in response.content.decode()


def test_resending_from_the_code_page_keeps_the_number_out_of_the_page(client, settings):
    settings.SMS_CODE_LIMITS_PER_PHONE = "5/60"
    ask_code(client, "13912340011")
    first = last_code("13912340011")
    response = client.post(SEND, {})
    assert response.status_code == 302
    assert len(messages_to("13912340011")) == 2
    assert last_code("13912340011") != first or len(set(messages_to("13912340011"))) == 1
