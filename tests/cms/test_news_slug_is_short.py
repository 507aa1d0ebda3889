"""A new article's address is its date, not its whole Chinese headline (~200 characters
percent-encoded to three times that); a short Latin slug an editor typed is kept."""

import datetime

from django.urls import reverse
from django.utils.text import slugify

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import pytest

from cms.models import NewsPage
from tests.cms.factories import news_index
from tests.lms.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADLINE = "关于进一步做好本市家政服务员上门服务证线上培训考核和证书查验工作的通知" * 3
DAY = datetime.date(2026, 12, 7)


def add(index, **fields) -> NewsPage:
    fields.setdefault("title", HEADLINE)
    fields.setdefault("category", NewsPage.Category.ANNOUNCEMENT)
    fields.setdefault("date", DAY)
    page = NewsPage(**fields)
    index.add_child(instance=page)
    return page


def test_a_headline_slug_becomes_the_date_numbered_on_for_the_same_day():
    index = news_index()
    first = add(index, slug=slugify(HEADLINE, allow_unicode=True))
    second = add(index, slug="")
    assert (first.slug, second.slug) == ("2026-12-07", "2026-12-07-2")


def test_a_short_latin_slug_is_kept_and_a_saved_page_keeps_its_slug():
    index = news_index()
    chosen = add(index, slug="exam-rules")
    assert chosen.slug == "exam-rules"
    chosen.slug = "上门服务证"
    chosen.save()
    assert NewsPage.objects.get(pk=chosen.pk).slug == "上门服务证"


def test_the_admin_create_form_stores_the_date_slug(client, login_staff):
    index = news_index()
    admin = UserFactory(username="slug-admin", is_staff=True, is_superuser=True)
    login_staff(client, admin)
    data = nested_form_data(
        {
            "title": HEADLINE,
            "slug": slugify(HEADLINE, allow_unicode=True),  # what the admin's script fills in
            "category": NewsPage.Category.ANNOUNCEMENT,
            "date": "2026-12-07",
            "summary": "通知摘要",
            "body": streamfield([]),
            "attachments": inline_formset([]),
            "related_links": inline_formset([]),
            "tags": "",
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["cms", "newspage", index.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert NewsPage.objects.get(title=HEADLINE).slug == "2026-12-07"
