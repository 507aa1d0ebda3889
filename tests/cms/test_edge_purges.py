"""Publishing, unpublishing, moving or deleting a page, or saving site settings, purges
what shows it from the edge cache, after commit, in one batch."""

import pytest

from cms.models import SiteSettings
from tests.edge_recorder import paths, recording

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def purged(settings):
    return recording(settings)


LISTS = {"/", "/sitemap.xml", "/robots.txt"}


def feeds(index_url):
    return {index_url + "feed/rss/", index_url + "feed/atom/"}


def test_publishing_purges_the_page_its_listings_feeds_home_and_sitemap(
    news_index, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = factories.news_page(news_index, title="新通知")
    # Before the commit, at most Wagtail's own purge of the page itself (it purges on the
    # signal); the listings wait for the commit, so nothing can refill them stale.
    assert paths(purged) <= {item.url}
    for callback in callbacks:
        callback()
    found = paths(purged)
    assert {item.url, news_index.url, *LISTS, *feeds(news_index.url)} <= found
    assert news_index.url + "feed/policy/rss/" in found


def test_unpublishing_purges_the_page_and_its_listings(
    news_index, purged, django_capture_on_commit_callbacks
):
    item = factories.news_page(news_index)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item.unpublish()
    assert {item.url, news_index.url, "/"} <= paths(purged)


def test_moving_purges_the_old_and_the_new_place(
    home, news_index, purged, django_capture_on_commit_callbacks
):
    item = factories.news_page(news_index, slug="moved")
    other = factories.standard_page(home, slug="other")
    old_url = item.url
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item.move(other, pos="last-child")
    item.refresh_from_db()
    found = paths(purged)
    assert {old_url, item.url, news_index.url, other.url, "/"} <= found


def test_deleting_purges_the_page_and_its_listings(
    news_index, purged, django_capture_on_commit_callbacks
):
    item = factories.news_page(news_index)
    url = item.url
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert {url, news_index.url, "/"} <= paths(purged)


def test_saving_site_settings_purges_every_live_page(
    home, news_index, purged, django_capture_on_commit_callbacks
):
    items = [factories.news_page(news_index) for _ in range(3)]
    page = factories.standard_page(home)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        settings_row = SiteSettings.for_site(home.get_site())
        settings_row.hotline = "021-12345678"
        settings_row.save()
    assert {*(i.url for i in items), page.url, news_index.url, *LISTS} <= paths(purged)


def test_nothing_is_sent_without_an_edge_cache(
    news_index, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.news_page(news_index)
    assert callbacks == [] or all(callable(c) for c in callbacks)
