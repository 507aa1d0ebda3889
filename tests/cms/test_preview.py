"""Editors preview news pages, saved or not yet saved, with everything the published page shows."""

import pytest

from cms.models import NewsPage

from . import factories

pytestmark = pytest.mark.django_db


def test_the_breadcrumb_of_a_previewed_page_shows_every_ancestor(news_index):
    """A preview is not routed, so no parent is at hand: the breadcrumb reads them."""
    item = factories.news_page(news_index)
    item.title = "预览中的标题"
    html = item.make_preview_request().content.decode()
    breadcrumb = html.split('aria-label="当前位置"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{news_index.url}">新闻政策</a>' in breadcrumb
    assert ">首页</a>" in breadcrumb and "预览中的标题" in breadcrumb


def test_a_news_page_not_yet_saved_can_be_previewed(news_index):
    """As in Wagtail's create view: a tree position but no primary key, so nothing can point at it."""
    older = factories.news_page(news_index, category="policy", title="旧文件")
    page = NewsPage(title="新草稿", slug="draft-new", category="policy", superseded_by=older)
    page.depth = news_index.depth + 1
    page.path = page._get_path(news_index.path, page.depth, news_index.numchild + 1)
    page.set_url_path(news_index)
    response = page.make_preview_request()
    assert response.status_code == 200
    html = response.content.decode()
    assert "新草稿" in html and ">新闻政策</a>" in html
    assert "本文件已被替代" in html and f'href="{older.url}"' in html
