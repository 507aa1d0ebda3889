"""Writes of the portal: the page tree's root and publishing helpers."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from wagtail.models import Page, Site

from .models import HomePage

HOME_TITLE = "上海家政服务培训与认证平台"
SITE_NAME = "上海家政"


def _default_home_body() -> list[dict]:
    return [
        {
            "type": "hero",
            "value": {
                "title": "学技能，考证书，安心上门",
                "text": "家政服务员在手机上学习课程、参加考试、领取上门服务证；家庭扫码即可查验证书和信用。",
                "image": None,
                "primary": {"label": "", "page": None, "url": ""},
                "secondary": {"label": "", "page": None, "url": ""},
            },
        },
        {"type": "search_box", "value": {"heading": "", "placeholder": "例如：上门服务证"}},
    ]


def page_publish(*, page: Page, user=None) -> Page:
    """Save a revision of `page` and publish it (as the acting `user`, if any)."""
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    page.refresh_from_db()
    return page


def _is_placeholder(page: Page) -> bool:
    """Wagtail's "Welcome to your new Wagtail site!" page: a plain Page right under the root."""
    return page.depth == 2 and page.content_type.model_class() is Page


@transaction.atomic
def home_page_ensure() -> HomePage:
    """The one HomePage, root of the default site; idempotent.

    On a fresh database the default site's root is Wagtail's placeholder page,
    under which lower apps' demos may already have put pages (the course
    index). Those children move onto the HomePage, the site is pointed at it,
    and only then is the empty placeholder deleted.
    """
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug="portal", body=_default_home_body())
        root.add_child(instance=home)
        page_publish(page=home)

    for placeholder in Page.objects.filter(depth=2).exclude(pk=home.pk).order_by("path"):
        if not _is_placeholder(placeholder):
            continue
        for child in placeholder.get_children().order_by("path"):
            child.move(home, pos="last-child")
        for site in Site.objects.filter(root_page=placeholder):
            site.root_page = home
            site.save()
        Page.objects.get(pk=placeholder.pk).delete()

    if home.slug != "home" and not Page.objects.sibling_of(home).filter(slug="home").exists():
        home = HomePage.objects.get(pk=home.pk)
        home.slug = "home"
        page_publish(page=home)

    hostname, port = _public_host()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=SITE_NAME
        )
    else:
        # Wagtail's first migration names the site localhost:80; the public
        # address (canonical links, sitemap, feeds, Open Graph) is SITE_URL's.
        # A site someone set up by hand is left as it is.
        if (site.hostname, site.port) == ("localhost", 80):
            site.hostname, site.port = hostname, port
        site.root_page = home
        site.site_name = SITE_NAME
        site.save()
    return HomePage.objects.get(pk=home.pk)


def _public_host() -> tuple[str, int]:
    """Host name and port of ``SITE_URL``, the address the public reaches the portal at."""
    parts = urlsplit(settings.SITE_URL)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)
