"""RSS 2.0 and Atom feeds of a news index, whole or per category (Django syndication)."""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from .models import NewsIndexPage, NewsPage

FEED_ITEMS = 20


class NewsRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, index: NewsIndexPage, category: str | None):
        self.request = request
        return {"index": index, "category": category}

    def title(self, obj):
        index, category = obj["index"], obj["category"]
        if category:
            return f"{index.title} · {NewsPage.Category(category).label}"
        return index.title

    def link(self, obj):
        return obj["index"].get_url(self.request)

    def description(self, obj):
        return obj["index"].search_description or _(
            "上海家政服务培训与认证平台的政策、公告和行业资讯"
        )

    def items(self, obj):
        qs = NewsPage.objects.live().public().child_of(obj["index"])
        if obj["category"]:
            qs = qs.filter(category=obj["category"])
        return qs.order_by("-date", "-first_published_at")[:FEED_ITEMS]

    def item_title(self, item: NewsPage):
        return item.title

    def item_description(self, item: NewsPage):
        return item.summary or item.search_description

    def item_link(self, item: NewsPage):
        return item.get_full_url(self.request)

    def item_guid(self, item: NewsPage):
        return item.get_full_url(self.request)

    def item_pubdate(self, item: NewsPage):
        # The editor's publication date, at the hour it went live when that was the same day.
        first = item.first_published_at
        if first and timezone.localdate(first) == item.date:
            return first
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(9, 0)))

    def item_updateddate(self, item: NewsPage):
        return item.last_published_at

    def item_categories(self, item: NewsPage):
        return [item.get_category_display()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


def news_feed(request, *, index: NewsIndexPage, kind: str, category: str | None):
    if category and category not in NewsPage.Category.values:
        raise Http404
    feed = NewsAtomFeed() if kind == "atom" else NewsRssFeed()
    return feed(request, index=index, category=category)
