"""What to purge from the edge cache when the portal changes (lms/edge.py does the purging).

A page that is published, unpublished, moved or deleted shows in more than
its own URL: its parent and every ancestor list or link to it (news and
policy indexes, the course catalogue), the home page lists the latest news,
the feeds carry it and the sitemap lists it. All of them go in one batch
(Wagtail's ``PurgeBatch``), after the transaction commits. The menu, the
footer and the site settings show on every page, so saving the site
settings, a site, an image, a document or a view restriction purges every
live page.
"""

from __future__ import annotations

from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

from lms import edge

#: Site-wide URLs that list pages.
SITE_PATHS = ("/sitemap.xml", "/robots.txt")


def feed_paths(index) -> list[str]:
    """Every feed URL of a news index: RSS and Atom, whole and per category."""
    from .models import NewsIndexPage, NewsPage

    if not isinstance(index, NewsIndexPage):
        return []
    paths = []
    for category in ("", *NewsPage.Category.values):
        for kind in ("rss", "atom"):
            route = f"feed/{category}/{kind}/" if category else f"feed/{kind}/"
            paths.append(route)
    return paths


def page_batch(page: Page, *, old_url_path: str | None = None) -> PurgeBatch:
    """The URLs that show `page`: itself (also at its old path), its ancestors with their
    feeds, the home page of each site and the site-wide lists."""
    batch = PurgeBatch()
    page = page.specific
    batch.add_page(page)
    ancestors = list(page.get_ancestors().filter(depth__gt=1).specific())
    for ancestor in ancestors:
        batch.add_page(ancestor)
        if ancestor.live:
            for route in feed_paths(ancestor):
                url = ancestor.get_full_url()
                if url:
                    batch.add_url(url + route)
    if old_url_path:
        for site in Site.objects.select_related("root_page"):
            root_path = site.root_page.url_path
            if old_url_path.startswith(root_path):
                batch.add_url(site.root_url + "/" + old_url_path[len(root_path) :])
    for root in edge.site_roots():
        batch.add_urls([root + "/", *(root + path for path in SITE_PATHS)])
    return batch


def purge_page(page: Page, *, old_url_path: str | None = None) -> None:
    """Purge what shows `page`, after commit."""
    if not edge.configured():
        return
    batch = page_batch(page, old_url_path=old_url_path)
    edge.purge_batch_after_commit(batch)


def purge_everything() -> None:
    """Purge every live page and the site-wide lists, after commit (site-wide changes)."""
    if not edge.configured():
        return
    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().filter(depth__gt=1).specific())
    for index in Page.objects.live().type(_news_index_model()).specific():
        url = index.get_full_url()
        if url:
            batch.add_urls([url + route for route in feed_paths(index)])
    for root in edge.site_roots():
        batch.add_urls([root + "/", *(root + path for path in SITE_PATHS)])
    edge.purge_batch_after_commit(batch)


def _news_index_model():
    from .models import NewsIndexPage

    return NewsIndexPage


# --- signal receivers (cache invalidation only; connected in cms/apps.py) ---------


def on_page_changed(sender=None, instance=None, **kwargs) -> None:
    purge_page(instance)


def on_page_moved(
    sender=None, instance=None, url_path_before=None, parent_page_before=None, **kwargs
) -> None:
    purge_page(instance, old_url_path=url_path_before)
    if parent_page_before is not None:
        purge_page(parent_page_before)


def on_site_wide_change(**kwargs) -> None:
    purge_everything()
