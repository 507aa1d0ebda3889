"""A news page rendered at the origin stays cheap: every edge-cache miss costs this much."""

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model

import pytest

from cms.models import NewsPageAttachment, NewsPageRelatedLink

from . import factories

pytestmark = pytest.mark.django_db

# Wagtail's serving: the site, then per tree level (home, news index, the page) the
# child and its specific row, then the ancestors' aliases and view restrictions; the
# breadcrumb's ancestors (1). The article: site settings, tags, attachments with
# their documents, related links with their pages, and the documents it replaces or
# is replaced by (5).
COLD_NEWS_PAGE_QUERIES = 16


def _document(title):
    document = get_document_model()(title=title)
    document.file.save("doc.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    return document


@pytest.fixture
def policy(news_index):
    """A policy with everything an article shows: it replaces one document and is replaced by another."""
    current = factories.news_page(news_index, category="policy", title="现行规则")
    policy = factories.news_page(
        news_index,
        category="policy",
        title="规则（修订）",
        document_number="家政平台〔2025〕3号",
        superseded_by=current,
        tags=["信用体系", "上门服务证"],
        body_text="正文内容",
    )
    factories.news_page(
        news_index,
        category="policy",
        title="规则（试行）",
        document_number="家政平台〔2024〕1号",
        superseded_by=policy,
    )
    for n in range(3):
        NewsPageAttachment.objects.create(page=policy, document=_document(f"附件{n}"))
        NewsPageRelatedLink.objects.create(
            page=policy, related_page=factories.news_page(news_index, title=f"相关通知{n}")
        )
    hidden = factories.news_page(news_index, title="已撤下的通知")
    hidden.unpublish()
    NewsPageRelatedLink.objects.create(page=policy, related_page=hidden)
    return policy


def test_a_cold_news_page_costs_a_fixed_number_of_queries(
    client, policy, django_assert_max_num_queries
):
    client.get(policy.url)  # the menu and the site root paths, as on a running server
    with django_assert_max_num_queries(COLD_NEWS_PAGE_QUERIES):
        response = client.get(policy.url)
    assert response.status_code == 200
    html = response.content.decode()
    # Nothing the article shows was given up for it.
    assert 'aria-label="当前位置"' in html and "新闻政策</a>" in html
    assert "本文件已被替代" in html and "现行规则" in html
    assert "本文件替代了" in html and "家政平台〔2024〕1号" in html
    assert all(f"相关通知{n}" in html and f"附件{n}" in html for n in range(3))
    assert "已撤下的通知" not in html
    assert '<meta property="article:tag" content="上门服务证">' in html
    assert "正文内容" in html
