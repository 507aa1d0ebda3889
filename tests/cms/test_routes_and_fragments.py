"""Rendering with the page cache off: remembered routes and shared fragments, never stale or personal."""

from django.test import override_settings

from wagtail.models import PageViewRestriction, Site

import pytest

from cms import cache as page_cache
from cms.models import NewsPageAttachment, NewsPageRelatedLink, SiteSettings
from cms.services import page_publish
from lms import fragments
from tests.lms.factories import StaffUserFactory

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]


@pytest.fixture
def page_cache_off():
    with override_settings(CMS_PAGE_CACHE_SECONDS=0):
        yield


def _html(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.status_code
    assert page_cache.HEADER not in response
    return response.content.decode()


def test_a_news_page_rendered_again_costs_no_query(client, news_index, django_assert_num_queries):
    item = factories.news_page(news_index, tags=["家政"], body_text="正文内容")
    first = _html(client, item.url)
    with django_assert_num_queries(0):
        second = _html(client, item.url)
    assert second == first
    assert "正文内容" in second and "家政" in second


@pytest.mark.parametrize("extras", [1, 4])
def test_the_first_rendering_after_a_publish_is_bounded(
    client, news_index, django_assert_max_num_queries, extras
):
    """Attachments and related links come with their documents and pages: no query per row."""
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    item = factories.news_page(news_index, tags=["一", "二"], body_text="正文")
    for n in range(extras):
        document = get_document_model()(title=f"附件 {n}")
        document.file.save(f"a{n}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        document.save()
        NewsPageAttachment.objects.create(page=item, document=document)
        NewsPageRelatedLink.objects.create(page=item, related_page=factories.news_page(news_index))
    _html(client, item.url)
    page_publish(page=item)  # a new generation: routes and fragments are cold again
    with django_assert_max_num_queries(15):
        html = _html(client, item.url)
    assert html.count(".pdf") == extras


def test_an_unpublished_page_is_gone_at_once(client, news_index):
    item = factories.news_page(news_index)
    _html(client, item.url)
    item.unpublish()
    _html(client, item.url, status=404)


def test_a_renamed_page_moves_to_its_new_path(client, news_index):
    item = factories.news_page(news_index, slug="old-slug")
    old_url = item.url
    _html(client, old_url)
    item.slug = "new-slug"
    page_publish(page=item)
    _html(client, old_url, status=404)
    assert item.title in _html(client, item.url)


def test_a_restriction_added_later_is_enforced(client, news_index):
    item = factories.news_page(news_index, title="内部通知")
    assert "内部通知" in _html(client, item.url)
    PageViewRestriction.objects.create(
        page=item, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    html = _html(client, item.url)
    assert "内部通知" not in html.split("<main", 1)[1]
    assert 'name="password"' in html


def test_a_related_page_renamed_elsewhere_shows_its_new_title(client, news_index):
    other = factories.news_page(news_index, title="旧的相关通知")
    item = factories.news_page(news_index)
    NewsPageRelatedLink.objects.create(page=item, related_page=other)
    assert "旧的相关通知" in _html(client, item.url)
    other.title = "新的相关通知"
    page_publish(page=other)
    html = _html(client, item.url)
    assert "新的相关通知" in html and "旧的相关通知" not in html


def test_site_settings_show_at_once_in_the_footer(client, home):
    _html(client, home.url)
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.hotline = "021-3333 4444"
    site_settings.save()
    assert "021-3333 4444" in _html(client, home.url)


def test_a_signed_in_user_shares_the_article_but_not_the_header(client, news_index, login_staff):
    item = factories.news_page(news_index, body_text="共享正文")
    login_staff(client, StaffUserFactory())
    mine = _html(client, item.url)
    assert "退出" in mine and "csrfmiddlewaretoken" in mine and "共享正文" in mine
    client.logout()
    client.cookies.clear()
    anonymous = _html(client, item.url)
    assert "共享正文" in anonymous
    assert "退出" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_a_preview_shows_the_draft_not_the_shared_article(client, news_index):
    item = factories.news_page(news_index, body_text="已发布的正文")
    _html(client, item.url)
    item.body = [{"type": "paragraph", "value": {"text": "<p>草稿正文</p>"}}]
    preview = item.make_preview_request()
    html = preview.content.decode()
    assert "草稿正文" in html and "已发布的正文" not in html


def test_fragments_are_used_only_by_the_portal_s_own_serving(rf):
    request = rf.get("/")
    assert fragments.fragment_key(request, "main") is None
    request.cms_generation = "g1"
    assert fragments.fragment_key(request, "main", 7) != fragments.fragment_key(request, "main", 8)
    request.is_preview = True
    assert fragments.fragment_key(request, "main") is None


def test_a_guard_must_declare_itself(rf):
    with pytest.raises(ValueError):
        page_cache._guard("cms.views.search")


def test_only_an_anonymous_rendering_fills_the_shared_fragments(
    client, news_index, login_staff, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = factories.news_page(news_index, body_text="只由匿名访客写入")
    login_staff(client, StaffUserFactory())
    _html(client, item.url)
    client.logout()
    client.cookies.clear()
    with CaptureQueriesContext(connection) as anonymous_first:
        _html(client, item.url)
    # The signed-in rendering stored no fragment: the anonymous one had to render them.
    assert len(anonymous_first.captured_queries) > 0
    with django_assert_num_queries(0):
        assert "只由匿名访客写入" in _html(client, item.url)


class _KeyRecorder:
    """Django's cache, recording which keys each read asks for."""

    def __init__(self, cache):
        self._cache = cache
        self.reads = []

    def get_many(self, keys, *args, **kwargs):
        self.reads.append(list(keys))
        return self._cache.get_many(keys, *args, **kwargs)

    def get(self, key, *args, **kwargs):
        self.reads.append([key])
        return self._cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cache, name)


def test_a_page_served_from_the_page_cache_never_fetches_the_remembered_route(
    client, news_index, monkeypatch
):
    """A hit is one round trip for the generation and the page; the route (a pickled
    page, larger than the page) is fetched, and unpacked, only by a rendering."""
    item = factories.news_page(news_index, body_text="正文")
    recorder = _KeyRecorder(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", recorder)
    unpacked = []
    use_route = page_cache.use_route

    def recording_use_route(request):
        used = use_route(request)
        if used:
            unpacked.append(1)
        return used

    monkeypatch.setattr(page_cache, "use_route", recording_use_route)
    with override_settings(CMS_PAGE_CACHE_SECONDS=600):
        client.get(item.url)  # routes, renders, stores the page and the route
        recorder.reads.clear()
        assert client.get(item.url)[page_cache.HEADER] == "hit"
        assert len(recorder.reads) == 1
        assert not any(k.startswith(page_cache.ROUTE_PREFIX) for k in recorder.reads[0])
        assert unpacked == []
    recorder.reads.clear()
    html = _html(client, item.url)  # page cache off: rendered on the remembered route
    assert any(k.startswith(page_cache.ROUTE_PREFIX) for keys in recorder.reads for k in keys)
    assert unpacked == [1]
    assert "正文" in html


def test_a_view_that_was_not_stored_fetches_its_route_with_the_generation(
    client, news_index, monkeypatch
):
    """Such a view is rendered again every time: one round trip, not two, before routing."""
    item = factories.news_page(news_index)
    recorder = _KeyRecorder(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", recorder)
    url = f"{item.url}?x=1"  # a parameter the page does not read: never stored
    client.get(url)
    recorder.reads.clear()
    assert client.get(url).status_code == 200
    first = recorder.reads[0]
    assert any(k.startswith(page_cache.ROUTE_PREFIX) for k in first)
    assert not any(
        k.startswith(page_cache.ROUTE_PREFIX) for keys in recorder.reads[1:] for k in keys
    )
