"""The portal's pages render what editors entered, with meta tags, for a phone."""

from django.template import loader
from django.test import override_settings
from django.urls import reverse

from wagtail.documents import get_document_model

import pytest

from cms.models import NewsPage, NewsPageAttachment
from cms.services import page_publish
from tests.care import without_care_scripts

from . import factories

pytestmark = pytest.mark.django_db


def test_home_page_renders_editor_blocks_and_latest_news(client, home, news_index):
    factories.news_page(news_index, title="最新政策", category="policy")
    factories.news_page(news_index, title="一场活动", category="event")
    home.body = [
        {
            "type": "hero",
            "value": {
                "title": "安心上门",
                "text": "导语",
                "image": None,
                "primary": {"label": "开始学习", "page": None, "url": "/me/"},
                "secondary": {"label": "", "page": None, "url": ""},
            },
        },
        {
            "type": "quick_entries",
            "value": {
                "heading": "办事入口",
                "entries": [
                    {
                        "label": "资讯",
                        "description": "",
                        "icon": "news",
                        "page": news_index.pk,
                        "url": "",
                    }
                ],
            },
        },
        {
            "type": "latest_news",
            "value": {
                "heading": "政策与公告",
                "index": news_index.pk,
                "categories": ["policy"],
                "count": 5,
            },
        },
        {
            "type": "hotline",
            "value": {"heading": "服务热线", "phone": "021-5555 0000", "hours": "", "text": ""},
        },
    ]
    page_publish(page=home)
    body = client.get("/").content.decode()
    assert '<h1 class="hero__title">安心上门</h1>' in body
    assert f'href="{news_index.url}"' in body
    assert "最新政策" in body and "一场活动" not in body
    assert 'href="tel:02155550000"' in body


def test_menu_shows_home_children_marked_for_menus(client, home, news_index):
    factories.standard_page(home, title="关于平台", show_in_menus=False)
    factories.standard_page(home, title="常见问题", show_in_menus=True)
    body = client.get(news_index.url).content.decode()
    menu = body.split('class="site-menu"', 1)[1].split("</nav>", 1)[0]
    assert "新闻政策" in menu and "常见问题" in menu and "关于平台" not in menu
    assert 'aria-current="page"' in menu


def test_news_index_filters_by_category_and_year_and_paginates(
    client, news_index, django_assert_max_num_queries
):
    import datetime

    news_index.per_page = 2
    page_publish(page=news_index)
    for year in (2023, 2024, 2024):
        factories.news_page(
            news_index, category="policy", date=datetime.date(year, 5, 1), title=f"政策{year}"
        )
    factories.news_page(
        news_index, category="event", date=datetime.date(2024, 6, 1), title="活动2024"
    )

    with django_assert_max_num_queries(20):
        response = client.get(news_index.url, {"category": "policy", "year": "2024"})
    body = response.content.decode()
    assert body.count("政策2024") == 2 and "政策2023" not in body and "活动2024" not in body

    first = client.get(news_index.url).content.decode()
    assert "第 1 / 2 页" in first and "page=2" in first
    assert client.get(news_index.url, {"page": "99"}).status_code == 200
    assert client.get(news_index.url, {"year": "abc", "category": "nope"}).status_code == 200


def test_policy_page_shows_document_facts_and_supersession_both_ways(client, news_index):
    new = factories.news_page(
        news_index, category="policy", title="考核规则", document_number="家政平台〔2025〕2号"
    )
    old = factories.news_page(
        news_index,
        category="policy",
        title="考核规则（试行）",
        issuing_body="平台运营中心",
        document_number="家政平台〔2024〕1号",
        superseded_by=new,
    )
    old_body = client.get(old.url).content.decode()
    assert "家政平台〔2024〕1号" in old_body and "平台运营中心" in old_body
    assert "本文件已被替代" in old_body and f'href="{new.url}"' in old_body
    new_body = client.get(new.url).content.decode()
    assert "本文件替代了" in new_body and f'href="{old.url}"' in new_body


def test_news_page_has_meta_description_open_graph_and_attachments(client, news_index):
    from django.core.files.base import ContentFile

    document = get_document_model()(title="实施方案要点")
    document.file.save("points.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    item = factories.news_page(
        news_index, title="实施方案印发", summary="平台怎么建的简要说明", tags=["信用体系"]
    )
    NewsPageAttachment.objects.create(page=item, document=document, title="要点下载")
    body = client.get(item.url).content.decode()
    assert '<meta name="description" content="平台怎么建的简要说明">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:title" content="实施方案印发">' in body
    assert 'property="og:url" content="http://' in body
    assert '<meta property="article:tag" content="信用体系">' in body
    assert "要点下载" in body and "PDF" in body
    assert "style=" not in body and "<script>" not in without_care_scripts(body)


def test_faq_accordion_uses_details_elements(client, home):
    page = factories.standard_page(
        home,
        title="常见问题",
        body=[
            {
                "type": "accordion",
                "value": {
                    "heading": "",
                    "items": [
                        {"question": "什么是上门服务证？", "answer": "<p>一种电子证书。</p>"}
                    ],
                },
            }
        ],
    )
    body = client.get(page.url).content.decode()
    assert '<details class="accordion__item">' in body
    assert '<summary class="accordion__question">什么是上门服务证？</summary>' in body


def test_guide_price_table_renders_as_an_accessible_table(client, home):
    table = {
        "caption": "参考价",
        "columns": [
            {"type": "text", "heading": "服务项目"},
            {"type": "number", "heading": "价格（元）"},
        ],
        "rows": [{"values": ["钟点工", "45"]}, {"values": ["月嫂", "15000"]}],
    }
    page = factories.guide_price_page(
        home,
        body=[{"type": "table", "value": {"caption": "2026 年指导价", "table": table, "note": ""}}],
    )
    body = client.get(page.url).content.decode()
    assert '<th scope="col">价格（元）</th>' in body
    assert '<th scope="row">钟点工</th>' in body and "15000" in body


def test_language_switch_is_a_plain_link_that_sets_the_cookie(client, home):
    body = client.get("/").content.decode()
    assert 'action="/language/" method="get"' in body
    response = client.get(reverse("cms:set_language"), {"language": "en", "next": "/news/"})
    assert response.status_code == 302 and response["Location"] == "/news/"
    assert response.cookies["django_language"].value == "en"


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.get(
        reverse("cms:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    response = client.get(reverse("cms:set_language"), {"language": "xx"})
    assert "django_language" not in response.cookies


def test_not_found_page_is_friendly_chinese(client, home):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "回到首页" in body and 'action="/search/"' in body


def test_server_error_page_renders_without_database_or_request():
    html = loader.get_template("500.html").render()
    assert "系统繁忙" in html and "<style" not in html and "/static/css/site.css" in html


@override_settings(DEBUG=False)
def test_server_error_handler_answers_500_in_chinese(rf):
    from cms.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()


def test_sitemap_lists_portal_pages(client, news_index):
    item = factories.news_page(news_index, slug="sitemap-item")
    body = client.get("/sitemap.xml").content.decode()
    assert item.url in body and news_index.url in body


def test_draft_news_is_not_public(client, news_index):
    item = factories.news_page(news_index)
    item.unpublish()
    assert client.get(item.url).status_code == 404
    assert NewsPage.objects.live().filter(pk=item.pk).count() == 0


def test_pages_speak_english_when_asked(client, news_index):
    factories.news_page(news_index, category="policy")
    body = client.get(news_index.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Policies and regulations" in body and "All years" in body
    assert (
        "Site search"
        in client.get(reverse("cms:search"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_rendered_news_page_costs_a_bounded_number_of_queries(
    client, news_index, django_assert_max_num_queries
):
    item = factories.news_page(news_index, tags=["一", "二", "三"], body_text="正文")
    client.get(item.url)  # site root paths cached, as on a warm server
    with django_assert_max_num_queries(17):
        response = client.get(item.url)
    assert response.status_code == 200


def test_home_page_with_every_block_costs_a_bounded_number_of_queries(
    client, home, news_index, django_assert_max_num_queries
):
    for n in range(8):
        factories.news_page(news_index, category="policy" if n % 2 else "event")
    home.body = [
        {
            "type": "latest_news",
            "value": {
                "heading": "政策",
                "index": news_index.pk,
                "categories": ["policy"],
                "count": 5,
            },
        },
        {
            "type": "latest_news",
            "value": {
                "heading": "活动",
                "index": news_index.pk,
                "categories": ["event"],
                "count": 5,
            },
        },
        {"type": "hotline", "value": {"heading": "热线", "phone": "", "hours": "", "text": ""}},
    ]
    page_publish(page=home)
    client.get("/")
    with django_assert_max_num_queries(20):
        response = client.get("/")
    assert response.status_code == 200


def test_a_page_titled_like_the_site_does_not_repeat_it(client, home):
    home.title = "上海家政服务培训与认证平台"
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "<title>上海家政服务培训与认证平台</title>" in html


def test_news_items_on_the_index_are_headed_right_under_its_title(client, news_index):
    factories.news_page(news_index, title="一条通知")
    html = client.get(news_index.url).content.decode()
    assert '<h2 class="news-item__title"><a href=' in html  # h1 (the index) → h2, no level skipped
    assert "<h3" not in html.split('<ul class="news-list">')[1].split("</ul>")[0]
