"""Each partner's calls are counted per minute against its own limit: over it, 429 with
Retry-After; another partner is unaffected; a failing cache still answers."""

import pytest

from lms import ratelimit
from partners.models import PartnerCall
from tests.lms.test_ratelimit_cache_down import CACHES
from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db


def test_over_the_limit_is_429_with_retry_after(token_for, api):
    partner = PartnerFactory(rate_per_minute=3)
    token = token_for(partner)
    assert [api("get", "/me", token).status_code for _ in range(3)] == [200, 200, 200]
    refused = api("get", "/me", token)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["type"].endswith("/rate-limited")
    assert PartnerCall.objects.filter(status=429, partner=partner).count() == 1
    # The limit is the partner's own.
    assert api("get", "/me", token_for(PartnerFactory(rate_per_minute=3))).status_code == 200


@pytest.mark.parametrize("cache", sorted(CACHES))
def test_without_a_cache_calls_are_still_answered_and_limited(cache, settings, token_for, api):
    partner = PartnerFactory(rate_per_minute=2)
    token = token_for(partner)
    settings.CACHES = {"default": CACHES[cache]}
    ratelimit.fallback.reset()
    try:
        statuses = [api("get", "/me", token).status_code for _ in range(3)]
    finally:
        ratelimit.fallback.reset()
    # Answered, and counted in this process's memory while the cache fails.
    assert statuses == [200, 200, 429]


def test_token_requests_are_limited_per_address(credentials):
    from tests.partners.conftest import exchange

    client_id, secret = credentials(PartnerFactory())
    statuses = [exchange(client_id, "wrong").status_code for _ in range(30)]
    assert set(statuses) == {401}
    refused = exchange(client_id, secret)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert PartnerCall.objects.filter(endpoint="token", status=429).count() == 1
    # Another address is not held up.
    assert exchange(client_id, secret, REMOTE_ADDR="10.0.0.5").status_code == 200
