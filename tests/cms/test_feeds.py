"""RSS and Atom feeds of a news index, whole and per category, are well-formed XML."""

import xml.etree.ElementTree as ET

import pytest

from cms.models import NewsPage

from . import factories

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _parse(content: bytes):
    """Parse a feed this test just rendered (trusted input) and fail on any malformed XML."""
    return ET.fromstring(content)  # noqa: S314


@pytest.fixture
def items(news_index):
    return [
        factories.news_page(
            news_index, category=NewsPage.Category.POLICY, title="政策 <一>", summary="摘要 & 说明"
        ),
        factories.news_page(news_index, category=NewsPage.Category.EVENT, title="活动一"),
    ]


def test_rss_feed_is_valid_rss_2_with_every_item(client, news_index, items):
    response = client.get(news_index.url + "feed/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = _parse(response.content).find("channel")
    assert channel.findtext("title") == "新闻政策"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["政策 <一>", "活动一"]
    first = channel.find("item")
    assert first.findtext("link").startswith("http://")
    assert first.findtext("description") == "摘要 & 说明"
    assert first.findtext("pubDate")
    assert first.findtext("category") == "政策法规"


def test_category_feed_lists_only_that_category(client, news_index, items):
    response = client.get(news_index.url + "feed/policy/atom/")
    assert response.status_code == 200
    root = _parse(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["政策 <一>"]
    assert entries[0].findtext(f"{ATOM}updated")
    assert "政策法规" in root.findtext(f"{ATOM}title")


def test_unknown_category_feed_is_not_found(client, news_index, items):
    assert client.get(news_index.url + "feed/gossip/rss/").status_code == 404


def test_unpublished_items_stay_out_of_feeds(client, news_index, items):
    items[0].unpublish()
    channel = _parse(client.get(news_index.url + "feed/rss/").content).find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == ["活动一"]
