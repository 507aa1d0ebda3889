"""Publishing a page purges it, and the listings that show it, at the edge."""

import pytest

from cms.services import page_publish
from tests.cms import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_new_title_shows_on_the_next_request_through_the_edge(edge):
    index = factories.news_index()
    item = factories.news_page(index, title="旧标题：持证上岗通知")
    for path in (item.url, index.url):
        edge.get(path)
        cached = edge.get(path)
        assert cached.cache == "HIT", path
        assert "旧标题：持证上岗通知" in cached.body, path

    item.title = "新标题：持证上岗通知"
    page_publish(page=item)

    page = edge.get(item.url)
    assert page.status == 200
    assert "新标题：持证上岗通知" in page.body
    assert "旧标题" not in page.body
    listing = edge.get(index.url)
    assert "新标题：持证上岗通知" in listing.body
    assert "旧标题" not in listing.body
