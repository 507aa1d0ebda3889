"""The news column routes its items itself (one query each), and routes everything else as Wagtail does."""

from django.test import override_settings

import pytest

from cms.models import NewsPage

from . import factories

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def nothing_remembered():
    # Every request walks the tree, so each one exercises NewsIndexPage.route.
    with override_settings(CMS_PAGE_CACHE_SECONDS=0, CMS_FRAGMENT_CACHE_SECONDS=0):
        yield


def test_a_news_item_is_routed_from_its_own_row_in_one_query(
    rf, news_index, django_assert_num_queries
):
    item = factories.news_page(news_index, title="一条通知")
    request = rf.get(item.url)
    with django_assert_num_queries(1):
        routed = news_index.route(request, [item.slug])
    assert isinstance(routed.page, NewsPage)
    assert routed.page.pk == item.pk
    with django_assert_num_queries(0):
        assert routed.page.get_parent().pk == news_index.pk


def test_news_items_feeds_and_unknown_paths_answer_as_before(client, news_index):
    item = factories.news_page(news_index, title="一条通知")
    draft = factories.news_page(news_index, title="草稿通知")
    draft.unpublish()
    assert "一条通知" in client.get(item.url).content.decode()
    assert client.get(f"{news_index.url}{draft.slug}/").status_code == 404
    assert client.get(f"{news_index.url}no-such-item/").status_code == 404
    assert client.get(f"{item.url}deeper/").status_code == 404
    feed = client.get(f"{news_index.url}feed/rss/")
    assert feed.status_code == 200
    assert "一条通知" in feed.content.decode()
    assert client.get(news_index.url).status_code == 200


def test_a_feed_path_wins_over_an_item_of_the_same_slug(client, news_index):
    """As in Wagtail's routable pages: the column's own paths come first."""
    factories.news_page(news_index, title="名为 feed 的通知", slug="feed")
    assert client.get(f"{news_index.url}feed/atom/")["Content-Type"].startswith(
        "application/atom+xml"
    )
    assert "名为 feed 的通知" in client.get(f"{news_index.url}feed/").content.decode()
