"""Crawlers, sharers, feed readers and editors find the portal's content: robots, meta, feeds, revisions."""

import datetime
import email.utils
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest

from cms.models import NewsPage

from . import factories

pytestmark = pytest.mark.django_db

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM = f"{{{ATOM_NS}}}"


def _parse_xml(content: bytes):
    """Parse a feed this test just rendered (trusted input) and fail on any malformed XML."""
    return ET.fromstring(content)  # noqa: S314


class _Tags(HTMLParser):
    """The attributes of every <meta>, <link> and <img> tag of a page, in order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "link", "img"):
            self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def meta(self, key: str, name: str) -> list[str]:
        return [a.get("content", "") for t, a in self.tags if t == "meta" and a.get(key) == name]

    def imgs(self) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == "img"]


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _is_absolute(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "://" in url and "/" in url.split("://")[1]


# --- robots.txt ---------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_admin_and_names_the_sitemap(client, home):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    assert "/admin/" in disallowed
    assert {"/accounts/", "/me/"} <= set(disallowed)
    sitemaps = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == ["http://testserver" + reverse("sitemap")]
    # The sitemap it names is really served.
    sitemap = client.get(reverse("sitemap"))
    assert sitemap.status_code == 200
    assert b"<urlset" in sitemap.content


# --- meta tags and images of a news page ---------------------------------------------------


@pytest.fixture
def title_image():
    return Image.objects.create(
        title="题图", file=get_test_image_file(filename="cover.png", size=(1600, 1000))
    )


def test_news_page_with_a_title_image_shares_it_and_serves_it_responsively(
    client, news_index, title_image
):
    item = factories.news_page(
        news_index,
        title="家政服务员技能提升补贴申领通知",
        summary="符合条件的家政服务员可申领技能提升补贴",
        image=title_image,
    )
    response = client.get(item.url)
    assert response.status_code == 200
    tags = _tags(response.content.decode())

    og_images = tags.meta("property", "og:image")
    assert len(og_images) == 1 and _is_absolute(og_images[0])
    assert "/media/images/cover" in og_images[0]
    assert tags.meta("property", "og:image:width") == ["1200"]
    assert tags.meta("property", "og:image:height") == ["630"]
    assert tags.meta("property", "og:title") == ["家政服务员技能提升补贴申领通知"]
    assert tags.meta("property", "og:description") == ["符合条件的家政服务员可申领技能提升补贴"]
    assert tags.meta("name", "description") == ["符合条件的家政服务员可申领技能提升补贴"]
    assert tags.meta("property", "og:type") == ["article"]

    article_imgs = [a for a in tags.imgs() if "article__img" in a.get("class", "").split()]
    assert len(article_imgs) == 1
    img = article_imgs[0]
    candidates = [c.strip().split() for c in img.get("srcset", "").split(",") if c.strip()]
    assert len(candidates) >= 2
    assert all(len(c) == 2 and c[1].endswith("w") for c in candidates)
    urls = [c[0] for c in candidates]
    assert all("/media/images/cover.width-" in url for url in urls)
    assert len(set(urls)) == len(urls), "each width is its own rendition"
    assert [c[1] for c in candidates][:2] == ["400w", "800w"]
    assert img.get("sizes") and img.get("src") in urls


def test_news_page_without_an_image_has_no_og_image_and_no_article_img(client, news_index):
    item = factories.news_page(news_index, summary="没有题图的通知")
    tags = _tags(client.get(item.url).content.decode())
    assert tags.meta("property", "og:image") == []
    assert not [a for a in tags.imgs() if "article__img" in a.get("class", "")]
    assert tags.meta("property", "og:description") == ["没有题图的通知"]


# --- feeds --------------------------------------------------------------------------------


@pytest.fixture
def policy_items(news_index):
    newer = factories.news_page(
        news_index,
        category=NewsPage.Category.POLICY,
        title="家政服务条例",
        summary="条例摘要",
        date=timezone.localdate() - datetime.timedelta(days=1),
    )
    older = factories.news_page(
        news_index,
        category=NewsPage.Category.POLICY,
        title="服务规范",
        date=timezone.localdate() - datetime.timedelta(days=5),
    )
    factories.news_page(news_index, category=NewsPage.Category.EVENT, title="技能比赛")
    withdrawn = factories.news_page(
        news_index, category=NewsPage.Category.POLICY, title="已撤回的政策"
    )
    withdrawn.unpublish()
    return [newer, older]


def _feed(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return _parse_xml(response.content)


def test_category_rss_feed_is_rss_2_with_one_complete_item_per_published_item(
    client, news_index, policy_items
):
    root = _feed(client, news_index.url + "feed/policy/rss/", "application/rss+xml")
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "新闻政策 · 政策法规"
    channel_link = channel.findtext("link")
    assert _is_absolute(channel_link) and channel_link.endswith(news_index.url)
    assert channel.findtext("description")
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href").endswith(news_index.url + "feed/policy/rss/")

    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [p.title for p in policy_items]
    for element, page in zip(items, policy_items, strict=True):
        link = element.findtext("link")
        assert link == page.full_url and _is_absolute(link)
        assert element.findtext("guid") == link
        published = email.utils.parsedate_to_datetime(element.findtext("pubDate"))
        assert published.tzinfo is not None
        assert timezone.localtime(published).date() == page.date


def test_category_atom_feed_has_an_id_updated_and_complete_entries(
    client, news_index, policy_items
):
    root = _feed(client, news_index.url + "feed/policy/atom/", "application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id")
    feed_updated = datetime.datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
    assert feed_updated.tzinfo is not None
    assert root.findtext(f"{ATOM}title") == "新闻政策 · 政策法规"
    # Every element of the feed lives in the Atom namespace: none slipped out of it.
    assert all(el.tag.startswith(ATOM) for el in root.iter())

    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [p.title for p in policy_items]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert all(ids) and len(set(ids)) == len(ids)
    for entry, page in zip(entries, policy_items, strict=True):
        updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.tzinfo is not None and updated <= feed_updated
        links = entry.findall(f"{ATOM}link")
        alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
        assert [link.get("href") for link in alternate] == [page.full_url]


# --- revisions ----------------------------------------------------------------------------


def test_editor_compares_two_revisions_of_a_news_page(client, news_index, editor, login_staff):
    item = factories.news_page(news_index, title="家政补贴申领通知")
    item.title = "家政补贴申领延期通知"
    item.save_revision(user=editor)
    first, second = item.revisions.order_by("created_at", "pk")
    login_staff(client, editor)

    url = reverse("wagtailadmin_pages:revisions_compare", args=(item.pk, first.pk, second.pk))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The title field's diff shows the old title struck out and the new one added.
    assert '<span class="deletion">家政补贴申领通知</span>' in html
    assert '<span class="addition">家政补贴申领延期通知</span>' in html

    live_vs_latest = reverse(
        "wagtailadmin_pages:revisions_compare", args=(item.pk, "live", "latest")
    )
    response = client.get(live_vs_latest)
    assert response.status_code == 200
    html = response.content.decode()
    assert "家政补贴申领通知" in html and "家政补贴申领延期通知" in html


def test_revision_comparison_is_closed_to_anonymous_visitors(client, news_index):
    item = factories.news_page(news_index)
    url = reverse("wagtailadmin_pages:revisions_compare", args=(item.pk, "live", "latest"))
    response = client.get(url)
    assert response.status_code in (302, 403)
