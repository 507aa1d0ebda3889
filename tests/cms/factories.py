"""Builders of portal pages for tests: each creates, publishes and returns a live page."""

import datetime

from django.utils import timezone

from cms.models import GuidePricePage, NewsIndexPage, NewsPage, StandardPage
from cms.services import home_page_ensure, page_publish


def home_page():
    return home_page_ensure()


def news_index(parent=None, **fields):
    parent = parent or home_page()
    fields.setdefault("title", "新闻政策")
    fields.setdefault("slug", "news")
    fields.setdefault("show_in_menus", True)
    index = NewsIndexPage(**fields)
    parent.add_child(instance=index)
    return page_publish(page=index)


_counter = iter(range(1, 10_000))


def news_page(index, *, body_text: str = "", tags=(), **fields):
    n = next(_counter)
    fields.setdefault("title", f"通知 {n}")
    fields.setdefault("slug", f"item-{n}")
    fields.setdefault("category", NewsPage.Category.ANNOUNCEMENT)
    fields.setdefault("date", timezone.localdate() - datetime.timedelta(days=n))
    body = [{"type": "paragraph", "value": {"text": f"<p>{body_text}</p>"}}] if body_text else []
    page = NewsPage(body=body, **fields)
    index.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
    return page_publish(page=page)


def standard_page(parent=None, **fields):
    parent = parent or home_page()
    n = next(_counter)
    fields.setdefault("title", f"页面 {n}")
    fields.setdefault("slug", f"page-{n}")
    page = StandardPage(**fields)
    parent.add_child(instance=page)
    return page_publish(page=page)


def guide_price_page(parent=None, **fields):
    parent = parent or home_page()
    fields.setdefault("title", "服务指导价")
    fields.setdefault("slug", "guide-prices")
    page = GuidePricePage(**fields)
    parent.add_child(instance=page)
    return page_publish(page=page)
