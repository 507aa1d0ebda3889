"""The anonymous page cache: served when it may be, purged on publish, never for signed-in users."""

import datetime

from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from cms import cache as page_cache
from cms.services import page_publish
from lms import fragments
from tests.lms.factories import StaffUserFactory, WorkerUserFactory

from . import factories

pytestmark = pytest.mark.django_db


def _get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return response


def test_second_anonymous_view_comes_from_the_cache_without_touching_the_database(
    client, news_index, django_assert_num_queries
):
    item = factories.news_page(news_index, title="第一版标题")
    first = _get(client, item.url)
    assert first[page_cache.HEADER] == "miss"
    with django_assert_num_queries(0):
        second = _get(client, item.url)
    assert second[page_cache.HEADER] == "hit"
    assert second.content == first.content
    assert "第一版标题" in second.content.decode()


def test_publishing_purges_the_cached_page_and_the_lists_that_show_it(client, news_index):
    item = factories.news_page(news_index, title="旧标题")
    _get(client, item.url)
    _get(client, news_index.url)
    assert _get(client, item.url)[page_cache.HEADER] == "hit"

    item.title = "新标题"
    page_publish(page=item)

    fresh = _get(client, item.url)
    assert fresh[page_cache.HEADER] == "miss"
    assert "新标题" in fresh.content.decode()
    assert "新标题" in _get(client, news_index.url).content.decode()


def test_unpublishing_purges_the_cache(client, news_index):
    item = factories.news_page(news_index)
    _get(client, item.url)
    item.unpublish()
    assert client.get(item.url).status_code == 404


def test_scheduled_publishing_purges_the_cache_when_the_page_goes_live(client, news_index):
    _get(client, news_index.url)
    item = factories.news_page(news_index, title="旧的通知")
    _get(client, news_index.url)
    item.title = "定时发布的通知"
    go_live = timezone.now() + datetime.timedelta(hours=2)
    item.go_live_at = go_live
    item.save_revision().publish()  # scheduled: the live page keeps its old title
    assert "定时发布的通知" not in _get(client, item.url).content.decode()

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
    response = _get(client, item.url)
    assert response[page_cache.HEADER] == "miss"
    assert "定时发布的通知" in response.content.decode()


@pytest.mark.parametrize("factory", [StaffUserFactory, WorkerUserFactory])
def test_a_signed_in_user_is_never_served_a_cached_page(client, news_index, factory, login_staff):
    item = factories.news_page(news_index)
    _get(client, item.url)
    assert _get(client, item.url)[page_cache.HEADER] == "hit"

    login_staff(client, factory())
    response = _get(client, item.url)
    assert page_cache.HEADER not in response
    assert "退出" in response.content.decode()  # rendered for this user: the logout button


def test_a_page_rendered_for_a_signed_in_user_is_never_stored(client, news_index, login_staff):
    item = factories.news_page(news_index)
    login_staff(client, StaffUserFactory())
    _get(client, item.url)
    client.logout()
    client.cookies.clear()
    response = _get(client, item.url)
    assert response[page_cache.HEADER] == "miss"
    assert "退出" not in response.content.decode()


def test_a_response_with_a_csrf_token_is_not_stored(rf, news_index):
    """A page that rendered a CSRF token would hand one visitor's token to everyone."""
    from django.middleware.csrf import get_token

    from cms import views

    item = factories.news_page(news_index)
    request = rf.get(item.url)
    request.user = type("Anon", (), {"is_authenticated": False})()
    request.COOKIES = {}
    original = views.wagtail_serve

    def serve_with_token(request, path):
        get_token(request)
        return original(request, path)

    views.wagtail_serve = serve_with_token
    try:
        views.serve(request, item.url.lstrip("/"))
    finally:
        views.wagtail_serve = original
    assert cache.get(page_cache.cache_key(request)) is None


def test_cached_anonymous_pages_carry_no_csrf_token_or_cookie(client, news_index):
    item = factories.news_page(news_index)
    for _ in range(2):
        response = _get(client, item.url)
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert not response.cookies


def test_requests_with_a_session_cookie_bypass_the_cache(client, news_index):
    item = factories.news_page(news_index)
    _get(client, item.url)
    client.cookies["sessionid"] = "not-a-real-session"
    assert page_cache.HEADER not in _get(client, item.url)


def test_password_protected_pages_are_never_cached(client, news_index):
    item = factories.news_page(news_index, title="内部通知")
    PageViewRestriction.objects.create(
        page=item, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    for _ in range(2):
        response = _get(client, item.url)
        assert "内部通知" not in response.content.decode().split("<main", 1)[1]
        assert page_cache.HEADER not in response


def test_each_language_has_its_own_entry(client, news_index):
    _get(client, news_index.url)
    response = _get(client, news_index.url, HTTP_ACCEPT_LANGUAGE="en")
    assert response[page_cache.HEADER] == "miss"
    assert 'lang="en"' in response.content.decode()
    assert _get(client, news_index.url)[page_cache.HEADER] == "hit"


def test_query_strings_are_part_of_the_key(client, news_index):
    factories.news_page(news_index, category="policy", title="政策一")
    factories.news_page(news_index, category="event", title="活动一")
    _get(client, news_index.url)
    policy = _get(client, news_index.url + "?category=policy")
    assert policy[page_cache.HEADER] == "miss"
    assert "活动一" not in policy.content.decode()


def test_a_lookup_page_is_never_kept_with_its_form_nor_with_an_answer(client, home):
    """Its form posts with the visitor's own CSRF token: a kept copy would hand out another's.

    (A card number's deep-link answer, which shows no form, is shared instead:
    tests/registry/test_shared_lookup_answers.py.)
    """
    from registry.models import AgencyCreditLookupPage, WorkerTraceLookupPage

    for lookup, answer_data in (
        (WorkerTraceLookupPage(title="家政员查询", slug="worker-lookup"), {"name": "张三"}),
        (AgencyCreditLookupPage(title="企业查询", slug="agency-lookup"), {"q": "家政"}),
    ):
        home.add_child(instance=lookup)
        for _ in range(2):
            empty = _get(client, lookup.url)
            assert page_cache.HEADER not in empty
            assert "csrfmiddlewaretoken" in empty.content.decode()
        for _ in range(2):
            answer = client.post(lookup.url, answer_data)
            assert page_cache.HEADER not in answer
            assert "no-store" in answer["Cache-Control"]


@override_settings(CMS_PAGE_CACHE_SECONDS=0)
def test_a_zero_timeout_turns_the_cache_off(client, news_index):
    item = factories.news_page(news_index)
    _get(client, item.url)
    assert page_cache.HEADER not in _get(client, item.url)


def test_saving_site_settings_purges_the_cache(client, home):
    from wagtail.models import Site

    from cms.models import SiteSettings

    _get(client, home.url)
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.hotline = "021-1111 2222"
    settings.save()
    response = _get(client, home.url)
    assert response[page_cache.HEADER] == "miss"
    assert "021-1111 2222" in response.content.decode()


@pytest.mark.redis
def test_the_cache_works_on_redis(client, news_index):
    from django.conf import settings

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    item = factories.news_page(news_index, title="Redis 缓存")
    _get(client, item.url)
    assert _get(client, item.url)[page_cache.HEADER] == "hit"
    item.title = "Redis 缓存已更新"
    page_publish(page=item)
    assert "Redis 缓存已更新" in _get(client, item.url).content.decode()


def test_replacing_or_deleting_an_attached_document_purges_the_cache(client, news_index):
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    from cms.models import NewsPageAttachment

    document = get_document_model()(title="旧版要点")
    document.file.save("points.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    item = factories.news_page(news_index)
    NewsPageAttachment.objects.create(page=item, document=document)
    item.save_revision().publish()
    _get(client, item.url)
    assert _get(client, item.url)[page_cache.HEADER] == "hit"

    document.title = "新版要点"
    document.save()  # an editor replaces the file or renames it in the documents library
    response = _get(client, item.url)
    assert response[page_cache.HEADER] == "miss"
    assert "新版要点" in response.content.decode()

    document.delete()
    response = _get(client, item.url)
    assert response[page_cache.HEADER] == "miss"
    assert "新版要点" not in response.content.decode()


def test_made_up_query_strings_are_rendered_but_never_stored(client, news_index):
    item = factories.news_page(news_index, title="正文标题")
    for url in (
        f"{item.url}?x=1",
        f"{item.url}?x=2",
        f"{news_index.url}?spam=1",
    ):
        for _ in range(2):
            response = _get(client, url)
            assert page_cache.HEADER not in response  # rendered, neither served nor stored
    assert "正文标题" in _get(client, f"{item.url}?x=1").content.decode()
    # The parameters a page reads are cached as before.
    _get(client, f"{news_index.url}?category=policy&page=1")
    assert _get(client, f"{news_index.url}?page=1&category=policy")[page_cache.HEADER] == "hit"


def test_links_shared_with_tracking_parameters_get_the_cached_page(client, news_index):
    item = factories.news_page(news_index)
    _get(client, item.url)
    for query in ("from=timeline&isappinstalled=0", "utm_source=wechat&utm_medium=share"):
        assert _get(client, f"{item.url}?{query}")[page_cache.HEADER] == "hit"
    _get(client, f"{news_index.url}?category=policy")
    hit = _get(client, f"{news_index.url}?category=policy&from=singlemessage")
    assert hit[page_cache.HEADER] == "hit"


def test_a_page_first_rendered_for_a_tracked_link_carries_no_tracking_parameters(
    client, news_index
):
    factories.news_page(news_index, category="policy")
    tracked = _get(client, f"{news_index.url}?category=policy&utm_source=wechat&from=timeline")
    assert "utm_source" not in tracked.content.decode()
    clean = _get(client, f"{news_index.url}?category=policy")
    assert clean[page_cache.HEADER] == "hit"
    assert "utm_source" not in clean.content.decode() and "timeline" not in clean.content.decode()


def test_nothing_rendered_for_made_up_query_strings_is_kept(client, news_index, monkeypatch):
    item = factories.news_page(news_index)
    stored = []
    set_ = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, *a, **kw: (stored.append(key), set_(key, *a, **kw))
    )
    _get(client, f"{item.url}?x=1")
    assert not [
        k for k in stored if k.startswith((page_cache.KEY_PREFIX, fragments.FRAGMENT_PREFIX))
    ]
    _get(client, item.url)
    assert [k for k in stored if k.startswith(fragments.FRAGMENT_PREFIX)]  # the clean view does


def test_only_pages_that_share_answers_note_their_askings(client, news_index):
    item = factories.news_page(news_index)
    _get(client, item.url + "?made-up=1")
    _get(client, item.url)
    assert not page_cache._ASKED
