"""Site search finds Chinese words inside longer text, on SQLite and on PostgreSQL.

The same tests run on both backends: on SQLite by default, on PostgreSQL when
DATABASE_URL points at it (CI); the index is Wagtail's database backend.
"""

from django.urls import reverse

import pytest

from cms.selectors import search_site
from courses.models import CourseIndexPage, CoursePage
from lms.search import query_terms, segment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(home, news_index):
    return {
        "permit": factories.news_page(
            news_index,
            title="线上培训全面开通",
            body_text="家政服务员学完必修课时后参加考试，通过后领取电子上门服务证。",
        ),
        "policy": factories.news_page(
            news_index,
            title="市商务委印发平台建设实施方案",
            category="policy",
            document_number="沪商服务〔2019〕242号",
            body_text="建立家政服务业信用体系，完善信息追溯。",
        ),
        "maintenance": factories.news_page(
            news_index, title="系统维护通知", body_text="周六晚间暂停登录，查验不受影响。"
        ),
        "faq": factories.standard_page(
            home, title="常见问题", intro="什么是上门服务证？怎样查验？"
        ),
    }


def _titles(query):
    return {hit.title for hit in search_site(query=query)["hits"]}


def test_segmentation_keeps_domain_words_whole_and_adds_their_parts():
    assert query_terms("上门服务证") == ["上门服务证"]
    words = segment("家政服务员领取上门服务证").split()
    assert {"家政", "家政服务员", "上门服务证"} <= set(words)


def test_searching_jiazheng_finds_pages_that_mention_it_inside_longer_words(pages):
    titles = _titles("家政")
    assert {"线上培训全面开通", "市商务委印发平台建设实施方案"} <= titles
    assert "系统维护通知" not in titles


def test_searching_shangmen_fuwuzheng_finds_news_and_faq(pages):
    titles = _titles("上门服务证")
    assert titles >= {"线上培训全面开通", "常见问题"}
    assert "市商务委印发平台建设实施方案" not in titles


def test_a_document_number_finds_its_policy(pages):
    assert _titles("沪商服务〔2019〕242号") == {"市商务委印发平台建设实施方案"}


def test_a_sentence_with_a_word_not_in_any_page_still_finds_by_any_word(pages):
    assert "系统维护通知" in _titles("系统维护什么时候")


def test_unpublished_pages_are_not_found(pages):
    pages["maintenance"].unpublish()
    assert _titles("系统维护") == set()


def test_course_pages_are_found_by_their_title(home):
    index = CourseIndexPage(title="课程中心", slug="courses")
    home.add_child(instance=index)
    course = CoursePage(title="上门服务证培训课程", slug="permit", summary="必修")
    index.add_child(instance=course)
    assert "上门服务证培训课程" in _titles("上门服务证")


def test_search_view_lists_hits_with_their_kind(client, pages):
    response = client.get(reverse("cms:search"), {"q": "上门服务证"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "线上培训全面开通" in body
    assert "资讯" in body
    assert 'name="robots" content="noindex"' in body


def test_empty_and_no_match_queries_answer_politely(client, pages):
    assert client.get(reverse("cms:search")).status_code == 200
    response = client.get(reverse("cms:search"), {"q": "火星"})
    assert "没有找到相关内容" in response.content.decode()


def test_searches_are_rate_limited_per_client_with_a_chinese_message(client, settings, pages):
    settings.PUBLIC_SEARCH_RATE = "2/m"
    url = reverse("cms:search")
    assert client.get(url, {"q": "家政"}).status_code == 200
    assert client.get(url, {"q": "证书"}).status_code == 200
    refused = client.get(url, {"q": "信用"})
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.content.decode()
