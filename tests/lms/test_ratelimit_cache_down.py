"""Without its cache (Redis down) a rate limit neither fails closed nor takes the site down:
each process counts on its own, with a warning in the log."""

import logging

from django.core.cache.backends.base import BaseCache
from django.http import HttpResponse
from django.test import RequestFactory

import pytest
from django_ratelimit.exceptions import Ratelimited

from lms import ratelimit
from lms.ratelimit import public_lookup_limit


class RaisingCache(BaseCache):
    """A cache whose every call fails, as a cache client does when its server is gone."""

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    add = get = set = touch = delete = clear = incr = get_many = set_many = has_key = _fail


CACHES = {
    # A stand-in that raises on every call.
    "raising": {"BACKEND": f"{__name__}.RaisingCache"},
    # The project's Redis backend pointed at a port where nothing listens.
    "redis-gone": {
        "BACKEND": "lms.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    },
}


@pytest.fixture(params=sorted(CACHES))
def cache_down(request, settings):
    settings.CACHES = {"default": CACHES[request.param]}
    settings.RATELIMIT_ENABLE = True
    # Each test starts with a healthy process: no pause, no warning yet, no local counts.
    ratelimit.fallback.reset()
    yield
    ratelimit.fallback.reset()


@public_lookup_limit
def lookup(request):
    return HttpResponse("answer")


def _ask(ip="203.0.113.10"):
    return lookup(RequestFactory().get("/lookup/", REMOTE_ADDR=ip))


def test_lookups_are_answered_and_the_outage_is_logged_once(cache_down, settings, caplog):
    settings.PUBLIC_LOOKUP_RATE = "100/m"
    with caplog.at_level(logging.WARNING, logger="lms.ratelimit"):
        answers = [_ask().status_code for _ in range(10)]
    assert answers == [200] * 10
    warnings = [r for r in caplog.records if r.name == "lms.ratelimit"]
    assert len(warnings) == 1
    assert "cache failed" in warnings[0].getMessage()


def test_each_process_still_limits_each_client_and_only_that_client(cache_down, settings):
    settings.PUBLIC_LOOKUP_RATE = "3/m"
    assert [_ask().status_code for _ in range(3)] == [200, 200, 200]
    with pytest.raises(Ratelimited):
        _ask()
    # Never closed for everyone: another client is answered.
    assert _ask(ip="198.51.100.4").status_code == 200
