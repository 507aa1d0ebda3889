from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site's root page (门户首页); every word on it is editable in Wagtail."""

    hero_title = models.CharField(_("主标题"), max_length=120, blank=True)
    hero_text = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Contact details and footer text shown on every public page."""

    hotline = models.CharField(_("服务热线"), max_length=30, blank=True)
    icp_number = models.CharField(_("ICP 备案号"), max_length=60, blank=True)
    footer_text = models.CharField(_("页脚说明"), max_length=255, blank=True)

    panels = [FieldPanel("hotline"), FieldPanel("icp_number"), FieldPanel("footer_text")]

    class Meta:
        verbose_name = _("站点设置")
