"""An anonymous portal page is served from the edge from its second request on, per language."""

import re

import pytest

from tests.cms import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S_MAXAGE = re.compile(r"s-maxage=(\d+)")


def _assert_public(answer):
    cache_control = answer.headers.get("Cache-Control", "")
    assert "public" in cache_control, cache_control
    assert int(S_MAXAGE.search(cache_control).group(1)) > 0, cache_control
    vary = {part.strip().lower() for part in answer.headers.get("Vary", "").split(",")}
    assert {"accept-language", "cookie"} <= vary, vary


@pytest.fixture
def news():
    index = factories.news_index()
    return index, factories.news_page(index, title="家政服务员持证上岗通知")


def test_home_news_index_and_news_item_are_hits_on_the_second_request(edge, news):
    index, item = news
    for path in ("/", index.url, item.url):
        first = edge.get(path)
        second = edge.get(path)
        assert (first.status, first.cache) == (200, "MISS"), path
        assert (second.status, second.cache) == (200, "HIT"), path
        assert second.body == first.body, path
        _assert_public(second)
    assert "家政服务员持证上岗通知" in edge.get(item.url).body


def test_languages_are_kept_apart(edge, news):
    _index, item = news
    chinese = edge.get(item.url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    english = edge.get(item.url, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert (chinese.cache, english.cache) == ("MISS", "MISS")
    assert 'lang="zh-hans"' in chinese.body
    assert 'lang="en"' in english.body

    # Another browser's spelling of the same preference shares the entry.
    again = edge.get(item.url, headers={"Accept-Language": "en-GB,en;q=0.8,fr;q=0.5"})
    assert (again.cache, 'lang="en"' in again.body) == ("HIT", True)
    plain = edge.get(item.url)
    assert (plain.cache, 'lang="zh-hans"' in plain.body) == ("HIT", True)

    # The language cookie wins over the header; analytics cookies are ignored.
    chosen = edge.get(
        item.url,
        headers={"Accept-Language": "zh-CN", "Cookie": "_ga=GA1.2.3; django_language=en"},
    )
    assert 'lang="en"' in chosen.body
    chosen_again = edge.get(item.url, headers={"Cookie": "django_language=en; Hm_lvt=1"})
    assert (chosen_again.cache, 'lang="en"' in chosen_again.body) == ("HIT", True)
