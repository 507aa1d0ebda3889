"""Card lookups answered from the portal's shared cache: rate-limited first, masked, never personal."""

import pytest

from cms import cache as page_cache
from registry.public import public_trace_invalidate
from tests.lms.factories import StaffUserFactory
from tests.registry.factories import ApprovedWorkerFactory

from .test_public_lookups import assert_no_pii

pytestmark = pytest.mark.django_db

MISS = "SHJZ99999999"


def _lookup(client, page, card, **extra):
    return client.get(page.url, {"card_number": card}, **extra)


def test_a_repeated_card_lookup_is_answered_without_any_query(
    client, trace_page, django_assert_num_queries
):
    worker = ApprovedWorkerFactory(name="王小红")
    first = _lookup(client, trace_page, worker.card_number)
    assert page_cache.HEADER not in first  # a first asking is answered, not kept
    kept = _lookup(client, trace_page, worker.card_number)
    assert kept[page_cache.HEADER] == "miss"
    with django_assert_num_queries(0):
        second = _lookup(client, trace_page, worker.card_number)
    assert second.status_code == 200
    assert second[page_cache.HEADER] == "hit"
    assert second.content == first.content == kept.content
    assert_no_pii(second.content.decode(), worker)


def test_a_first_asking_reads_nothing_for_sharing_and_stores_nothing(
    client, trace_page, monkeypatch
):
    """Most cards are asked once: their answers would cost a read and a write for nothing."""
    worker = ApprovedWorkerFactory()
    _lookup(client, trace_page, MISS)  # the route and the shared page around answers
    _lookup(client, trace_page, MISS)
    calls = []
    for name in ("get", "set", "get_many"):
        original = getattr(page_cache.cache, name)
        monkeypatch.setattr(
            page_cache.cache,
            name,
            lambda *a, _name=name, _original=original, **k: (
                calls.append((_name, a[:1])) or _original(*a, **k)
            ),
        )
    response = _lookup(client, trace_page, worker.card_number)
    assert response.status_code == 200 and page_cache.HEADER not in response
    # One round trip before routing (generation, answer and route together), no write;
    # the card's generation is not read. (Local memory's get_many calls get itself.)
    many = [keys for name, (keys,) in calls if name == "get_many"]
    assert len(many) == 1
    assert any(key.startswith(page_cache.ROUTE_PREFIX) for key in many[0])
    assert not [key for name, (key,) in calls if name == "set"]
    assert not [k for name, (k,) in calls if name == "get" and "trace-gen" in k]


def test_a_miss_is_shared_like_a_hit(client, trace_page, django_assert_num_queries):
    _lookup(client, trace_page, MISS)
    _lookup(client, trace_page, MISS)
    with django_assert_num_queries(0):
        response = _lookup(client, trace_page, MISS)
    assert response[page_cache.HEADER] == "hit"
    assert "没有找到" in response.content.decode()


def test_a_shared_answer_stays_private_and_unindexed_for_proxies(client, trace_page):
    worker = ApprovedWorkerFactory()
    for _ in range(2):
        response = _lookup(client, trace_page, worker.card_number)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex"
        assert not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_rate_limit_is_counted_before_a_shared_answer(client, trace_page, settings):
    settings.PUBLIC_LOOKUP_RATE = "3/m"
    worker = ApprovedWorkerFactory()
    assert page_cache.HEADER not in _lookup(client, trace_page, worker.card_number)
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "miss"
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "hit"
    refused = _lookup(client, trace_page, worker.card_number)
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.content.decode()
    assert page_cache.HEADER not in refused
    # Another client still gets the shared answer.
    other = _lookup(client, trace_page, worker.card_number, REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200
    assert other[page_cache.HEADER] == "hit"


def test_a_change_to_the_card_makes_its_answer_stale(client, trace_page):
    worker = ApprovedWorkerFactory()
    for _ in range(3):
        _lookup(client, trace_page, worker.card_number)
    public_trace_invalidate(worker.card_number)
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "miss"
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "hit"


def test_other_cards_keep_their_answers_when_one_changes(client, trace_page):
    first, second = ApprovedWorkerFactory(), ApprovedWorkerFactory()
    for worker in (first, second, first, second):
        _lookup(client, trace_page, worker.card_number)
    public_trace_invalidate(first.card_number)
    assert _lookup(client, trace_page, second.card_number)[page_cache.HEADER] == "hit"


def test_publishing_the_lookup_page_makes_every_answer_stale(client, trace_page):
    worker = ApprovedWorkerFactory()
    for _ in range(3):
        _lookup(client, trace_page, worker.card_number)
    trace_page.title = "家政员信息追溯"
    trace_page.save_revision().publish()
    response = _lookup(client, trace_page, worker.card_number)
    assert response[page_cache.HEADER] == "miss"
    assert "家政员信息追溯" in response.content.decode()


def test_signed_in_users_neither_get_nor_leave_shared_answers(client, trace_page, login_staff):
    worker = ApprovedWorkerFactory()
    _lookup(client, trace_page, worker.card_number)
    login_staff(client, StaffUserFactory())
    mine = _lookup(client, trace_page, worker.card_number)
    assert page_cache.HEADER not in mine
    assert "退出" in mine.content.decode()
    other = ApprovedWorkerFactory()
    _lookup(client, trace_page, other.card_number)
    client.logout()
    client.cookies.clear()
    anonymous = _lookup(client, trace_page, other.card_number)
    assert anonymous.get(page_cache.HEADER) != "hit"
    assert "退出" not in anonymous.content.decode()


def test_lookups_by_name_are_never_shared(client, trace_page):
    worker = ApprovedWorkerFactory()
    params = {"name": worker.name, "id_last4": worker.id_last4}
    for _ in range(2):
        assert page_cache.HEADER not in client.get(trace_page.url, params)


def test_a_zero_lifetime_turns_sharing_off(client, trace_page, settings):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    worker = ApprovedWorkerFactory()
    for _ in range(2):
        assert page_cache.HEADER not in _lookup(client, trace_page, worker.card_number)


def test_an_uncached_card_lookup_runs_a_bounded_number_of_queries(
    client, trace_page, settings, django_assert_max_num_queries
):
    """The page tree is not walked again: the route is remembered (cms/cache.py)."""
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    worker = ApprovedWorkerFactory()
    _lookup(client, trace_page, worker.card_number)  # the route and the site chrome are warm
    # Worker with filing, employments, credit records, insurance dates, 12-month
    # visits, certificates: no site, routing or site-settings query.
    with django_assert_max_num_queries(6):
        response = _lookup(client, trace_page, worker.card_number)
    assert response.status_code == 200


def test_a_shared_answer_and_its_card_generation_come_in_one_round_trip(
    client, trace_page, monkeypatch
):
    worker = ApprovedWorkerFactory()
    for _ in range(2):
        _lookup(client, trace_page, worker.card_number)
    calls = []
    get_many = page_cache.cache.get_many
    monkeypatch.setattr(
        page_cache.cache, "get_many", lambda keys: calls.append(keys) or get_many(keys)
    )
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "hit"
    assert len(calls) == 1
    public_trace_invalidate(worker.card_number)
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "miss"


@pytest.mark.redis
def test_shared_answers_never_go_into_the_near_cache(client, trace_page):
    """Served from a process's copy, an answer would skip its rate limit and card generation."""
    from tests.caching import wait_until

    near = page_cache.near_cache()
    near.get("warm-up")
    assert wait_until(lambda: near.healthy)
    worker = ApprovedWorkerFactory()
    for _ in range(3):
        _lookup(client, trace_page, worker.card_number)
    assert _lookup(client, trace_page, worker.card_number)[page_cache.HEADER] == "hit"
    assert near.healthy
    assert len(near) == 0
