"""Public rate limits count each request once, per client and window."""

from django.core.cache import caches
from django.test import RequestFactory

import pytest

from lms import ratelimit


def _request(ip: str):
    request = RequestFactory().get("/lookup/", REMOTE_ADDR=ip)
    return request


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("60/m", (60, 60)), ("5/10m", (5, 600)), ("1/s", (1, 1)), ("3/h", (3, 3600))],
)
def test_rates_read_like_django_ratelimit(rate, expected):
    assert ratelimit.parse_rate(rate) == expected


def test_a_bad_rate_is_refused():
    with pytest.raises(ValueError):
        ratelimit.parse_rate("sixty a minute")


def test_each_client_has_its_own_budget(settings):
    settings.RATELIMIT_ENABLE = True
    caches["default"].clear()
    group = "tests.rate.each-client"
    assert [ratelimit.is_over(_request("10.0.0.1"), group, "2/m") for _ in range(3)] == [
        False,
        False,
        True,
    ]
    assert ratelimit.is_over(_request("10.0.0.2"), group, "2/m") is False


def test_turned_off_counts_nothing(settings):
    settings.RATELIMIT_ENABLE = False
    assert not any(
        ratelimit.is_over(_request("10.0.0.3"), "tests.rate.off", "1/m") for _ in range(3)
    )
