"""home_page_ensure(): the HomePage takes over the default site from Wagtail's placeholder."""

from wagtail.models import Page, Site

import pytest

from cms.models import HomePage
from cms.services import home_page_ensure
from courses.models import CourseIndexPage

pytestmark = pytest.mark.django_db


def test_children_of_the_placeholder_move_onto_the_new_home_page():
    placeholder = Site.objects.get(is_default_site=True).root_page
    assert placeholder.specific_class is Page
    courses = CourseIndexPage(title="课程中心", slug="courses")
    placeholder.add_child(instance=courses)

    home = home_page_ensure()

    assert not Page.objects.filter(pk=placeholder.pk).exists()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    courses.refresh_from_db()
    assert courses.get_parent().pk == home.pk
    assert home.slug == "home"
    assert courses.url == "/courses/"


def test_running_twice_changes_nothing():
    first = home_page_ensure()
    pages = list(Page.objects.order_by("path").values_list("pk", "path", "url_path"))
    second = home_page_ensure()
    assert second.pk == first.pk
    assert list(Page.objects.order_by("path").values_list("pk", "path", "url_path")) == pages
    assert HomePage.objects.count() == 1
    assert Site.objects.count() == 1


def test_the_default_site_takes_the_public_address_from_site_url(settings):
    settings.SITE_URL = "https://jz.example.gov.cn"
    home = home_page_ensure()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("jz.example.gov.cn", 443)
    assert home.full_url == "https://jz.example.gov.cn/"


def test_a_site_address_set_by_hand_is_kept(settings):
    Site.objects.filter(is_default_site=True).update(hostname="jiazheng.sh.cn", port=8443)
    settings.SITE_URL = "https://jz.example.gov.cn"
    home_page_ensure()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("jiazheng.sh.cn", 8443)
