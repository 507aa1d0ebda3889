"""On Redis, each process answers its hot pages from its own copies, which Redis keeps current."""

import pickle
import uuid

from django.core.cache import cache

import pytest
import redis

from cms import cache as page_cache
from cms.services import page_publish
from tests.caching import wait_until
from tests.lms.factories import StaffUserFactory

from . import factories

# In the same parallel worker as tests/lms/test_near_cache.py, whose flushes would drop these copies.
pytestmark = [pytest.mark.django_db, pytest.mark.redis, pytest.mark.xdist_group("near-cache")]


@pytest.fixture
def near():
    near = page_cache.near_cache()
    assert near is not None
    near.get("warm-up")
    assert wait_until(lambda: near.healthy)
    return near


@pytest.fixture
def no_round_trips(monkeypatch):
    """Fail any Redis command sent through the cache from here on."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a Redis round trip: {args[:1]}")

    client = cache._cache.get_client(write=True)
    for name in ("get", "mget", "execute_command"):
        monkeypatch.setattr(client, name, refuse)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_a_hot_page_is_served_with_no_round_trip(
    client, news_index, near, django_assert_num_queries, request
):
    item = factories.news_page(news_index, title="近端缓存")
    first = _get(client, item.url)
    assert first[page_cache.HEADER] == "miss"
    assert _get(client, item.url)[page_cache.HEADER] == "hit"  # from Redis, now copied
    request.getfixturevalue("no_round_trips")
    with django_assert_num_queries(0):
        third = _get(client, item.url)
    assert third[page_cache.HEADER] == "hit"
    assert third.content == first.content


def test_publishing_here_drops_the_copies_at_once(client, news_index, near):
    item = factories.news_page(news_index, title="旧标题")
    _get(client, item.url)
    _get(client, item.url)
    assert len(near) == 1
    item.title = "新标题"
    page_publish(page=item)
    assert len(near) == 0
    assert "新标题" in _get(client, item.url).content.decode()


def test_a_purge_by_another_process_reaches_this_one(client, news_index, near):
    item = factories.news_page(news_index)
    _get(client, item.url)
    _get(client, item.url)
    assert len(near) == 1
    # Another web process publishes: it writes the generation in Redis, not here.
    other = redis.Redis.from_url(cache._servers[0])
    try:
        generation = pickle.dumps(uuid.uuid4().hex)  # another process's
        other.set(cache.make_key(page_cache.GENERATION_KEY), generation)
    finally:
        other.close()
    assert wait_until(lambda: len(near) == 0)
    assert _get(client, item.url)[page_cache.HEADER] == "miss"


def test_a_signed_in_user_never_gets_a_copy(client, news_index, near, login_staff):
    item = factories.news_page(news_index, title="公开页面")
    _get(client, item.url)
    _get(client, item.url)
    assert len(near) == 1
    login_staff(client, StaffUserFactory())
    response = _get(client, item.url)
    assert page_cache.HEADER not in response
    assert "退出" in response.content.decode()  # rendered for this user: the logout button


def test_a_zero_timeout_turns_the_copies_off_too(client, news_index, near, settings):
    item = factories.news_page(news_index)
    _get(client, item.url)
    _get(client, item.url)
    settings.CMS_PAGE_CACHE_SECONDS = 0
    assert _get(client, item.url).headers.get(page_cache.HEADER) != "hit"


def test_no_copies_when_turned_off(client, news_index, settings):
    settings.CMS_PAGE_NEAR_CACHE_ENTRIES = 0
    assert page_cache.near_cache() is None
    item = factories.news_page(news_index)
    _get(client, item.url)
    assert _get(client, item.url)[page_cache.HEADER] == "hit"


def test_a_copy_fetched_while_a_purge_goes_by_is_not_kept(client, news_index, near, monkeypatch):
    item = factories.news_page(news_index)
    _get(client, item.url)
    near.clear()
    fetch = cache.get_many
    other = redis.Redis.from_url(cache._servers[0])

    def purged_meanwhile(keys, *args, **kwargs):
        found = fetch(keys, *args, **kwargs)  # the old page, read just before the purge
        epoch = near.begin()
        other.set(cache.make_key(page_cache.GENERATION_KEY), pickle.dumps(uuid.uuid4().hex))
        assert wait_until(lambda: near.begin() != epoch)
        return found

    monkeypatch.setattr(cache, "get_many", purged_meanwhile)
    try:
        assert _get(client, item.url)[page_cache.HEADER] == "hit"  # served once, as read
    finally:
        other.close()
    assert len(near) == 0  # but not kept: the purge came after the token
