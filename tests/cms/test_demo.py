"""The demo seeds a complete public site, and running it twice changes nothing."""

from django.apps import apps

from wagtail.models import Page, PageLogEntry, Revision, Site

import pytest

from cms import demo
from cms.models import NewsPage, SiteSettings
from lms import demo as lms_demo
from lms.demo import DemoContext

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "news": NewsPage.objects.count(),
        "log": PageLogEntry.objects.count(),
    }


def test_seed_builds_the_portal_and_is_idempotent():
    ctx = DemoContext(password="demo-pass")
    lms_demo.seed(ctx)
    demo.seed(ctx)
    first = _counts()
    demo.seed(ctx)
    assert _counts() == first

    news = NewsPage.objects.live()
    assert news.count() >= 12
    assert set(news.values_list("category", flat=True)) == set(NewsPage.Category.values)
    plan = news.get(slug="platform-plan-2020")
    assert plan.written_date.isoformat() == "2020-02-24" and plan.date.isoformat() == "2023-09-12"
    assert plan.attachments.exists()
    report = news.get(slug="registration-2015-review")
    assert "290382" in str(report.body) and "106032" in str(report.body)
    assert news.get(slug="online-exam-rules-trial").superseded_by.slug == "online-exam-rules"
    pending = NewsPage.objects.get(slug="spring-festival-service")
    assert not pending.live and pending.workflow_in_progress

    home = Site.objects.get(is_default_site=True).root_page
    menu = set(home.get_children().live().in_menu().values_list("title", flat=True))
    assert {"新闻政策", "服务指导价", "常见问题", "联系我们"} <= menu
    for label in (
        "registry.WorkerTraceLookupPage",
        "registry.AgencyCreditLookupPage",
        "certificates.CertificateLookupPage",
    ):
        model = apps.get_model(label)
        assert model.objects.live().in_menu().child_of(home).exists(), label
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    assert settings.icp_number.startswith("沪ICP备") and settings.hotline
