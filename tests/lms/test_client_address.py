"""One client address for throttling, rate limits and records: the entry N from the right of
X-Forwarded-For, N being the trusted proxies; whatever the client writes further left is ignored."""

from django.test import RequestFactory

import pytest

from lms.client import client_address


def _request(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # The client wrote the first entry itself; the proxy appended the real one.
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4,5.6.7.8 , 203.0.113.5", "203.0.113.5"),
        # Two proxies: the outer one's peer is the second entry from the right.
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        # Reached only the inner proxy: what it saw.
        (2, "203.0.113.5", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_entry_n_from_the_right_is_the_client(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(_request("127.0.0.1", forwarded)) == expected


def test_forged_leftmost_entries_change_nothing(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    answers = {
        client_address(_request("127.0.0.1", f"10.9.{i}.{i}, 203.0.113.5")) for i in range(20)
    }
    assert answers == {"203.0.113.5"}


def test_a_request_that_bypassed_the_proxy_is_its_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("198.51.100.7")) == "198.51.100.7"


def test_garbage_never_comes_out_as_an_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("127.0.0.1", "1.2.3.4, not-an-ip")) == "127.0.0.1"
    assert client_address(_request("", "nonsense")) == ""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AXES_PROXY_COUNT": "2"}, "2"),
        ({"TRUSTED_PROXY_COUNT": "1", "AXES_PROXY_COUNT": "3"}, "1"),
        ({}, "0"),
    ],
)
def test_the_proxy_count_comes_from_the_environment_under_either_name(monkeypatch, env, expected):
    from tests.lms.test_settings import _settings_in_subprocess

    for name in ("TRUSTED_PROXY_COUNT", "AXES_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    out = _settings_in_subprocess(env, "s.TRUSTED_PROXY_COUNT")
    assert out.splitlines()[-1] == expected


def test_login_throttling_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request("127.0.0.1", "1.2.3.4, 203.0.113.5")) == "203.0.113.5"


def test_rate_limits_use_the_same_address(settings):
    from lms import ratelimit

    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMIT_ENABLE = True
    group = "tests.client-address.rate"
    forged = [
        ratelimit.is_over(_request("127.0.0.1", f"10.8.0.{i}, 203.0.113.77"), group, "3/m")
        for i in range(5)
    ]
    assert forged == [False, False, False, True, True]
    assert not ratelimit.is_over(_request("127.0.0.1", "10.8.0.1, 203.0.113.78"), group, "3/m")
