"""The public portal (公共服务门户): home, news and policy pages, standard pages, guide prices."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from lms.search import segment, stream_text

from .blocks import (
    ARTICLE_BLOCKS,
    GUIDE_PRICE_BLOCKS,
    HOME_BLOCKS,
    STANDARD_BLOCKS,
    SocialLinkBlock,
)


class PortalPage(Page):
    """What every portal page shares: text segmented for search, meta data, breadcrumbs.

    Abstract. Anonymous views of every page are public at the edge (cms/views.py,
    lms/edge.py) and purged when the page or its listings change (cms/purge.py).
    """

    class Meta:
        abstract = True

    def search_text_parts(self) -> list[str]:
        """The plain text a reader would search this page by (besides the title)."""
        return [self.search_description]

    def search_segmented(self) -> str:
        """Title and text cut into words by jieba (see lms/search.py), for the search index."""
        return segment(self.title, *self.search_text_parts())

    def meta_description(self) -> str:
        return self.search_description

    def og_image(self):
        return None

    def breadcrumb_ancestors(self) -> list[Page]:
        """The page's ancestors below the tree root, home first, as the breadcrumb shows them."""
        return list(self.get_ancestors().filter(depth__gt=1))


class HomePage(PortalPage):
    """The site's root page (门户首页); every word on it is editable in Wagtail."""

    body = StreamField(HOME_BLOCKS, blank=True, verbose_name=_("页面内容"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("search_segmented")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.NewsIndexPage",
        "cms.StandardPage",
        "cms.GuidePricePage",
        "courses.CourseIndexPage",
        "registry.WorkerTraceLookupPage",
        "registry.AgencyCreditLookupPage",
        "certificates.CertificateLookupPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def search_text_parts(self) -> list[str]:
        return [self.search_description, *stream_text(self.body)]

    def hero(self):
        """The first hero block, whose title is the page's <h1>; None if the editor has none."""
        return next((block.value for block in self.body if block.block_type == "hero"), None)


class NewsIndexPage(RoutablePageMixin, PortalPage):
    """The news and policy column (新闻政策): lists, filters and feeds its NewsPages."""

    intro = RichTextField(_("栏目介绍"), blank=True, features=["bold", "italic", "link"])
    per_page = models.PositiveSmallIntegerField(_("每页条数"), default=10)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("per_page")]
    search_fields = Page.search_fields + [index.SearchField("search_segmented")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("资讯栏目")

    def search_text_parts(self) -> list[str]:
        return [self.search_description, self.intro]

    def get_context(self, request, *args, **kwargs):
        from .selectors import news_index_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(
            news_index_listing(
                index=self,
                category=request.GET.get("category", ""),
                year=request.GET.get("year", ""),
                page_number=request.GET.get("page", "1"),
            )
        )
        return context

    @re_path(r"^feed/(?:(?P<category>[a-z]+)/)?(?P<kind>rss|atom)/$")
    def feed(self, request, kind, category=None):
        from .feeds import news_feed

        return news_feed(request, index=self, kind=kind, category=category)


# What a link to a page reads of it: its title, whether it is live, and its URL's parts.
_LINKED_PAGE_FIELDS = ("title", "live", "url_path", "path", "depth", "locale_id")


#: A slug an editor chose on purpose: short, lower-case Latin, digits and dashes.
_SHORT_LATIN_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def _is_short_latin_slug(slug: str) -> bool:
    return bool(slug) and bool(_SHORT_LATIN_SLUG.fullmatch(slug))


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class NewsPage(PortalPage):
    """One news item, announcement or policy document (政策法规 with its document number)."""

    class Category(models.TextChoices):
        POLICY = "policy", _("政策法规")
        ANNOUNCEMENT = "announcement", _("通知公告")
        INDUSTRY = "industry", _("行业动态")
        EVENT = "event", _("活动")

    category = models.CharField(
        _("类别"), max_length=20, choices=Category.choices, default=Category.ANNOUNCEMENT
    )
    date = models.DateField(_("发布日期"), default=timezone.localdate)
    summary = models.TextField(
        _("摘要"), max_length=400, blank=True, help_text=_("列表和分享时显示，一两句话")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("题图"),
    )
    body = StreamField(ARTICLE_BLOCKS, blank=True, verbose_name=_("正文"))
    issuing_body = models.CharField(
        _("发文机关"),
        max_length=120,
        blank=True,
        help_text=_("政策文件填写，例如 上海市商务委员会"),
    )
    document_number = models.CharField(
        _("文号"), max_length=60, blank=True, help_text=_("例如 沪商服务〔2019〕242号")
    )
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    effective_date = models.DateField(_("施行日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=120, blank=True)
    source_url = models.URLField(_("原文链接"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("已被以下文件替代"),
        help_text=_("本文件废止或被新文件替代时选择新文件；新文件页面会自动显示“替代”关系"),
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("标签"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("category"), FieldPanel("date")]), FieldPanel("summary")],
            heading=_("基本信息"),
        ),
        FieldPanel("image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("issuing_body"), FieldPanel("document_number")]),
                FieldRowPanel([FieldPanel("written_date"), FieldPanel("effective_date")]),
                FieldRowPanel([FieldPanel("source"), FieldPanel("source_url")]),
                FieldPanel("superseded_by"),
            ],
            heading=_("文件信息"),
            classname="collapsible",
        ),
        InlinePanel("attachments", label=_("附件")),
        InlinePanel("related_links", label=_("相关页面")),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("document_number"),
        index.SearchField("search_segmented"),
        index.FilterField("category"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("资讯")
        verbose_name_plural = _("资讯")
        indexes = [models.Index(fields=["category", "-date"], name="cms_news_category_date")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(superseded_by=models.F("page_ptr")),
                name="cms_news_not_superseded_by_itself",
            )
        ]

    def full_clean(self, *args, **kwargs):
        # The admin fills the slug in from the title: a Chinese headline of up
        # to ~200 characters, percent-encoded to three times that in a link. A
        # new article gets its date instead (2026-12-07, 2026-12-07-2, …) unless
        # the editor typed a short Latin slug. Done once the parent is known
        # (the path is set when the page is added), never for a saved page,
        # whose address may already be shared. Drafts are saved through
        # minimal_clean, published pages through full_clean.
        self.use_date_slug()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self.use_date_slug()
        super().minimal_clean()

    def use_date_slug(self) -> None:
        if self.pk is None and self.path and not _is_short_latin_slug(self.slug):
            self.slug = self.date_slug()

    def clean(self):
        super().clean()
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("文件不能被自己替代。")})

    def date_slug(self) -> str:
        """The article's date as a slug, numbered on when another sibling already has it."""
        base = f"{self.date or timezone.localdate():%Y-%m-%d}"
        taken = set(
            self.get_parent()
            .get_children()
            .filter(slug__startswith=base)
            .values_list("slug", flat=True)
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    def search_text_parts(self) -> list[str]:
        return [
            self.summary,
            self.issuing_body,
            self.document_number,
            self.source,
            " ".join(tag.name for tag in self.tags.all()),
            *stream_text(self.body),
        ]

    def meta_description(self) -> str:
        return self.search_description or self.summary

    def og_image(self):
        return self.image

    @cached_property
    def tag_list(self) -> list:
        """The tags, read once per rendering (the meta tags and the article both show them)."""
        return list(self.tags.all())

    @cached_property
    def attachment_list(self) -> list:
        """The attachments with their documents, in one query."""
        return list(self.attachments.select_related("document"))

    @cached_property
    def related_link_list(self) -> list:
        """The related links with what the article shows of their pages, in one query."""
        return list(
            self.related_links.select_related("related_page").only(
                "sort_order",
                "page_id",
                "related_page_id",
                *(f"related_page__{name}" for name in _LINKED_PAGE_FIELDS),
            )
        )

    @cached_property
    def _supersession(self) -> tuple["NewsPage | None", list["NewsPage"]]:
        """The live document replacing this one and the live ones it replaces, in one query."""
        related = Q()
        if self.pk is not None:  # a new page, previewed, replaces nothing yet
            related |= Q(superseded_by=self.pk)
        if self.superseded_by_id:
            related |= Q(pk=self.superseded_by_id)
        if not related:
            return None, []
        pages = (
            NewsPage.objects.live()
            .filter(related)
            .order_by("-date")
            .only("document_number", "date", "superseded_by_id", *_LINKED_PAGE_FIELDS)
        )
        current = None
        older = []
        for page in pages:
            # One row may be both (two documents that name each other); both lists get it.
            if page.pk == self.superseded_by_id:
                current = page
            if self.pk is not None and page.superseded_by_id == self.pk:
                older.append(page)
        return current, older

    @property
    def superseded_by_live(self) -> "NewsPage | None":
        """The published document replacing this one, if any."""
        return self._supersession[0]

    @property
    def supersedes_live(self) -> list["NewsPage"]:
        """Older documents this one replaces, published ones only, newest first."""
        return self._supersession[1]


class NewsPageAttachment(Orderable):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("文件")
    )
    title = models.CharField(
        _("显示名称"), max_length=200, blank=True, help_text=_("留空则用文件标题")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")

    def display_title(self) -> str:
        return self.title or self.document.title


class NewsPageRelatedLink(Orderable):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="related_links")
    related_page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("页面")
    )

    panels = [FieldPanel("related_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("相关页面")


class StandardPage(PortalPage):
    """About, FAQ, contact and other plain pages built from blocks."""

    intro = models.TextField(_("导语"), blank=True, max_length=500)
    body = StreamField(STANDARD_BLOCKS, blank=True, verbose_name=_("正文"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage", "cms.GuidePricePage"]

    class Meta:
        verbose_name = _("普通页面")

    def search_text_parts(self) -> list[str]:
        return [self.search_description, self.intro, *stream_text(self.body)]

    def meta_description(self) -> str:
        return self.search_description or self.intro


class GuidePricePage(PortalPage):
    """Service guide prices (服务指导价): tables editors keep up to date."""

    intro = models.TextField(_("导语"), blank=True, max_length=500)
    issued_by = models.CharField(_("发布单位"), max_length=120, blank=True)
    valid_from = models.DateField(_("执行日期"), null=True, blank=True)
    body = StreamField(GUIDE_PRICE_BLOCKS, blank=True, verbose_name=_("价格表"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("issued_by"), FieldPanel("valid_from")]),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("服务指导价页")

    def search_text_parts(self) -> list[str]:
        return [self.search_description, self.intro, self.issued_by, *stream_text(self.body)]

    def meta_description(self) -> str:
        return self.search_description or self.intro


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Contact details, social links and footer text shown on every public page."""

    hotline = models.CharField(_("服务热线"), max_length=30, blank=True)
    hotline_hours = models.CharField(_("热线服务时间"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    icp_number = models.CharField(
        _("ICP 备案号"), max_length=60, blank=True, help_text=_("例如 沪ICP备12345678号")
    )
    public_security_number = models.CharField(
        _("公安备案号"), max_length=60, blank=True, help_text=_("例如 沪公网安备31010102000001号")
    )
    footer_text = models.CharField(_("页脚说明"), max_length=255, blank=True)
    social_links = StreamField(
        [("link", SocialLinkBlock())], blank=True, verbose_name=_("社交账号")
    )
    default_share_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("默认分享图片"),
        help_text=_("页面没有自己的图片时，分享到微信等处显示这张"),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("hotline"),
                FieldPanel("hotline_hours"),
                FieldPanel("address"),
                FieldPanel("email"),
            ],
            heading=_("联系方式"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("icp_number"),
                FieldPanel("public_security_number"),
                FieldPanel("footer_text"),
            ],
            heading=_("页脚"),
        ),
        FieldPanel("social_links"),
        FieldPanel("default_share_image"),
    ]

    class Meta:
        verbose_name = _("站点设置")
