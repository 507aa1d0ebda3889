"""Failed sign-ins lock the pair of account and client, resolved behind the proxy: one attacker
cannot lock the account for its owner, nor any other account, nor anyone else's client."""

from django.urls import reverse

import pytest

from tests.lms.factories import PASSWORD, WorkerUserFactory

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
ATTACKER, OWNER, BYSTANDER = "203.0.113.66", "198.51.100.20", "192.0.2.30"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def _sign_in(client, username, *, via, password="wrong-password", forged=""):
    """A sign-in as the proxy passes it on: the peer is the proxy, the client in X-Forwarded-For."""
    forwarded = f"{forged}, {via}" if forged else via
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def _attack(client, settings, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, username, via=ATTACKER)


def test_the_attacker_is_locked_out_of_the_attacked_account(client, settings):
    victim = WorkerUserFactory()
    _attack(client, settings, victim.phone)
    response = _sign_in(client, victim.phone, via=ATTACKER, password=PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "暂时无法登录" in response.content.decode()


def test_the_owner_signs_in_from_another_client(client, settings):
    victim = WorkerUserFactory()
    _attack(client, settings, victim.phone)
    response = _sign_in(client, victim.phone, via=OWNER, password=PASSWORD)
    assert response.status_code == 302


def test_another_account_signs_in_from_any_client(client, settings):
    victim, other = WorkerUserFactory(), WorkerUserFactory()
    _attack(client, settings, victim.phone)
    for via in (BYSTANDER, ATTACKER):
        client.logout()
        response = _sign_in(client, other.phone, via=via, password=PASSWORD)
        assert response.status_code == 302, via


def test_forging_x_forwarded_for_does_not_escape_the_lock(client, settings):
    victim = WorkerUserFactory()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, victim.phone, via=ATTACKER, forged=f"10.1.0.{i}")
    response = _sign_in(client, victim.phone, via=ATTACKER, password=PASSWORD, forged="10.2.0.1")
    assert response.status_code == 429


def test_the_recorded_address_is_the_client_not_the_proxy(client):
    from axes.models import AccessAttempt

    _sign_in(client, "13700000000", via=ATTACKER, forged="10.3.0.1")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
