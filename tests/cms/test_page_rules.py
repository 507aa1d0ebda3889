"""Which page types may be created where (Wagtail's parent/subpage rules)."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wagtail.models import Page

import pytest

from cms.models import GuidePricePage, HomePage, NewsIndexPage, NewsPage, StandardPage

from . import factories

pytestmark = pytest.mark.django_db

HOME_CHILDREN = [
    "cms.NewsIndexPage",
    "cms.StandardPage",
    "cms.GuidePricePage",
    "courses.CourseIndexPage",
    "registry.WorkerTraceLookupPage",
    "registry.AgencyCreditLookupPage",
    "certificates.CertificateLookupPage",
]


@pytest.mark.parametrize("label", HOME_CHILDREN)
def test_home_page_allows_each_portal_section_and_every_lookup_page(label):
    model = apps.get_model(label)  # fails if another app's page type is missing
    assert model in HomePage.allowed_subpage_models()
    assert HomePage in model.allowed_parent_page_models()


def test_home_page_lives_only_under_the_tree_root_and_only_once(home):
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root) is False  # max_count reached
    assert HomePage.allowed_parent_page_models() == [Page]
    assert not HomePage.can_create_at(home)


def test_news_pages_only_under_a_news_index(home, news_index):
    assert NewsPage.can_create_at(news_index)
    assert not NewsPage.can_create_at(home)
    standard = factories.standard_page(home)
    assert not NewsPage.can_create_at(standard)
    assert NewsPage.allowed_subpage_models() == []


def test_news_index_only_under_home(home, news_index):
    assert NewsIndexPage.can_create_at(home)
    assert not NewsIndexPage.can_create_at(news_index)
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]


def test_standard_and_guide_price_pages_nest_under_home_and_standard_pages(home):
    about = factories.standard_page(home)
    assert StandardPage.can_create_at(home) and StandardPage.can_create_at(about)
    assert GuidePricePage.can_create_at(home) and GuidePricePage.can_create_at(about)
    prices = factories.guide_price_page(home)
    assert not StandardPage.can_create_at(prices)


def test_a_policy_cannot_be_superseded_by_itself(news_index):
    policy = factories.news_page(news_index, category=NewsPage.Category.POLICY)
    policy.superseded_by = policy
    with pytest.raises(ValidationError):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsPage.objects.filter(pk=policy.pk).update(superseded_by=policy.pk)
