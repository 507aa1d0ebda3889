"""StreamField blocks of the portal's pages; one template per block under cms/templates/cms/blocks/."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class LinkValue(blocks.StructValue):
    """A link that points at a page when one is chosen, else at the URL typed in."""

    # Not named "url": templates look keys up before attributes, and "url" is a child block.
    def href(self) -> str:
        page = self.get("page")
        if page is not None and page.live:
            return page.url
        return self.get("url") or ""

    def text(self) -> str:
        page = self.get("page")
        return self.get("label") or (page.title if page is not None else "")


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("文字"), required=False, max_length=40)
    page = blocks.PageChooserBlock(label=_("站内页面"), required=False)
    url = blocks.CharBlock(
        label=_("或网址"),
        required=False,
        max_length=300,
        help_text=_("未选站内页面时使用，例如 /v/ 或 https://…"),
    )

    class Meta:
        icon = "link"
        value_class = LinkValue
        template = "cms/blocks/link_block.html"
        label = _("链接")
        preview_value = {"label": "了解更多", "url": "/"}


class HeroBlock(blocks.StructBlock):
    """The large greeting at the top of the home page."""

    title = blocks.CharBlock(label=_("主标题"), max_length=80)
    text = blocks.TextBlock(label=_("导语"), required=False, max_length=300)
    image = ImageChooserBlock(label=_("配图"), required=False)
    primary = LinkBlock(label=_("主按钮"), required=False)
    secondary = LinkBlock(label=_("次按钮"), required=False)

    class Meta:
        icon = "title"
        template = "cms/blocks/hero_block.html"
        label = _("首屏")
        preview_value = {
            "title": "学技能，考证书，安心上门",
            "text": "家政服务员在手机上学习、考试、领取上门服务证；家庭扫码即可查验。",
            "primary": {"label": "开始学习", "url": "/"},
        }


class QuickEntryBlock(blocks.StructBlock):
    ICONS = [
        ("learn", _("学习")),
        ("exam", _("考试")),
        ("verify", _("证书查验")),
        ("credit", _("信用查询")),
        ("worker", _("家政员查询")),
        ("price", _("指导价")),
        ("news", _("资讯")),
        ("help", _("帮助")),
    ]

    label = blocks.CharBlock(label=_("名称"), max_length=20)
    description = blocks.CharBlock(label=_("一句话说明"), required=False, max_length=60)
    icon = blocks.ChoiceBlock(label=_("图标"), choices=ICONS, default="learn")
    page = blocks.PageChooserBlock(label=_("站内页面"), required=False)
    url = blocks.CharBlock(label=_("或网址"), required=False, max_length=300)

    class Meta:
        icon = "link"
        value_class = LinkValue
        template = "cms/blocks/quick_entry_block.html"
        label = _("快捷入口")
        preview_value = {"label": "学习", "description": "在线课程", "icon": "learn", "url": "/"}


class QuickEntriesBlock(blocks.StructBlock):
    """A grid of big touch targets: 学习 / 考试 / 证书查验 / 信用查询 / 家政员查询."""

    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=40)
    entries = blocks.ListBlock(QuickEntryBlock(), label=_("入口"), min_num=1, max_num=8)

    class Meta:
        icon = "grip"
        template = "cms/blocks/quick_entries_block.html"
        label = _("快捷入口组")
        preview_value = {
            "heading": "办事入口",
            "entries": [
                {"label": "学习", "icon": "learn", "url": "/"},
                {"label": "考试", "icon": "exam", "url": "/"},
                {"label": "证书查验", "icon": "verify", "url": "/"},
            ],
        }


class LatestNewsBlock(blocks.StructBlock):
    """The newest items of a news index, optionally of some categories only."""

    CATEGORY_CHOICES = [
        ("policy", _("政策法规")),
        ("announcement", _("通知公告")),
        ("industry", _("行业动态")),
        ("event", _("活动")),
    ]

    heading = blocks.CharBlock(label=_("标题"), max_length=40, default=_("政策与公告"))
    index = blocks.PageChooserBlock(
        label=_("资讯栏目"), page_type="cms.NewsIndexPage", required=False
    )
    categories = blocks.MultipleChoiceBlock(
        label=_("只显示这些类别"), choices=CATEGORY_CHOICES, required=False
    )
    count = blocks.IntegerBlock(label=_("条数"), default=5, min_value=1, max_value=20)

    class Meta:
        icon = "list-ul"
        template = "cms/blocks/latest_news_block.html"
        label = _("最新资讯")
        preview_value = {"heading": "政策与公告", "count": 5}

    def get_context(self, value, parent_context=None):
        from .selectors import news_latest

        context = super().get_context(value, parent_context=parent_context)
        context["items"] = news_latest(
            index=value.get("index"),
            categories=value.get("categories") or None,
            limit=value.get("count") or 5,
        )
        return context


class FeaturedCoursesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("标题"), max_length=40, default=_("推荐课程"))
    courses = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="courses.CoursePage", label=_("课程")),
        label=_("课程"),
        max_num=6,
    )
    more = LinkBlock(label=_("更多课程链接"), required=False)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/featured_courses_block.html"
        label = _("推荐课程")
        preview_value = {"heading": "推荐课程", "courses": []}


class HotlineBlock(blocks.StructBlock):
    """The service hotline; the number comes from the site settings unless given here."""

    heading = blocks.CharBlock(label=_("标题"), max_length=40, default=_("服务热线"))
    phone = blocks.CharBlock(
        label=_("电话"), required=False, max_length=30, help_text=_("留空则使用站点设置里的热线")
    )
    hours = blocks.CharBlock(label=_("服务时间"), required=False, max_length=60)
    text = blocks.TextBlock(label=_("说明"), required=False, max_length=200)

    class Meta:
        icon = "mobile-alt"
        template = "cms/blocks/hotline_block.html"
        label = _("服务热线")
        preview_value = {
            "heading": "服务热线",
            "phone": "021-12345678",
            "hours": "工作日 9:00–17:00",
        }


class SearchBoxBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=40)
    placeholder = blocks.CharBlock(label=_("输入框提示"), required=False, max_length=40)

    class Meta:
        icon = "search"
        template = "cms/blocks/search_box_block.html"
        label = _("站内搜索框")
        preview_value = {"heading": "找政策、找课程", "placeholder": "例如：上门服务证"}


class ParagraphBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(
        label=_("正文"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"],
    )

    class Meta:
        icon = "pilcrow"
        template = "cms/blocks/paragraph_block.html"
        label = _("段落")
        preview_value = {"text": "<p>上海市家政服务行业管理信息化建设……</p>"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    alt = blocks.CharBlock(
        label=_("替代文字"), required=False, max_length=120, help_text=_("读屏软件朗读的说明")
    )
    caption = blocks.CharBlock(label=_("图注"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "cms/blocks/image_block.html"
        label = _("图片")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    source = blocks.CharBlock(label=_("出处"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote_block.html"
        label = _("引文")
        preview_value = {"text": "一人一卡一号。", "source": "2015 年家政实事项目"}


class AccordionItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问题"), max_length=200)
    answer = blocks.RichTextBlock(label=_("回答"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "help"
        label = _("问答")


class AccordionBlock(blocks.StructBlock):
    """Questions that open one by one (<details>), usable without JavaScript."""

    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=80)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("问答"), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "cms/blocks/accordion_block.html"
        label = _("折叠问答")
        preview_value = {
            "heading": "常见问题",
            "items": [
                {"question": "什么是上门服务证？", "answer": "<p>家政服务员上门服务的凭证。</p>"}
            ],
        }


class PriceTableBlock(blocks.StructBlock):
    """A table editors maintain cell by cell, e.g. the service guide prices (服务指导价)."""

    caption = blocks.CharBlock(label=_("表名"), required=False, max_length=120)
    table = TypedTableBlock(
        [
            ("text", blocks.CharBlock(label=_("文字"))),
            ("number", blocks.DecimalBlock(label=_("数字"), decimal_places=2)),
            ("rich_text", blocks.RichTextBlock(label=_("格式文字"), features=["bold", "link"])),
        ],
        label=_("表格"),
    )
    note = blocks.TextBlock(label=_("表注"), required=False, max_length=500)

    class Meta:
        icon = "table"
        template = "cms/blocks/price_table_block.html"
        label = _("表格")


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("单位"), max_length=80)
    address = blocks.CharBlock(label=_("地址"), required=False, max_length=200)
    phone = blocks.CharBlock(label=_("电话"), required=False, max_length=40)
    email = blocks.EmailBlock(label=_("电子邮箱"), required=False)
    hours = blocks.CharBlock(label=_("办公时间"), required=False, max_length=80)
    note = blocks.TextBlock(label=_("说明"), required=False, max_length=300)

    class Meta:
        icon = "site"
        template = "cms/blocks/contact_block.html"
        label = _("联系方式")
        preview_value = {
            "name": "平台运营中心",
            "phone": "021-12345678",
            "hours": "工作日 9:00–17:00",
        }


class DocumentListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=80)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("文件")), label=_("文件"))

    class Meta:
        icon = "doc-full-inverse"
        template = "cms/blocks/document_list_block.html"
        label = _("文件下载")


class SocialLinkBlock(blocks.StructBlock):
    PLATFORMS = [
        ("wechat", _("微信公众号")),
        ("weibo", _("微博")),
        ("douyin", _("抖音")),
        ("app", _("随申办")),
        ("other", _("其他")),
    ]

    platform = blocks.ChoiceBlock(label=_("平台"), choices=PLATFORMS)
    label = blocks.CharBlock(label=_("名称"), max_length=40)
    url = blocks.URLBlock(label=_("网址"), required=False)

    class Meta:
        icon = "globe"
        template = "cms/blocks/social_link_block.html"
        label = _("社交账号")
        preview_value = {"platform": "wechat", "label": "上海家政"}


# The blocks each page type offers, in the order editors see them.
HOME_BLOCKS = [
    ("hero", HeroBlock()),
    ("quick_entries", QuickEntriesBlock()),
    ("latest_news", LatestNewsBlock()),
    ("featured_courses", FeaturedCoursesBlock()),
    ("hotline", HotlineBlock()),
    ("search_box", SearchBoxBlock()),
    ("paragraph", ParagraphBlock()),
]

ARTICLE_BLOCKS = [
    ("paragraph", ParagraphBlock()),
    ("image", ImageBlock()),
    ("quote", QuoteBlock()),
    ("table", PriceTableBlock()),
    ("documents", DocumentListBlock()),
]

STANDARD_BLOCKS = [
    ("paragraph", ParagraphBlock()),
    ("image", ImageBlock()),
    ("accordion", AccordionBlock()),
    ("table", PriceTableBlock()),
    ("contact", ContactBlock()),
    ("quick_entries", QuickEntriesBlock()),
    ("hotline", HotlineBlock()),
    ("documents", DocumentListBlock()),
]

GUIDE_PRICE_BLOCKS = [
    ("table", PriceTableBlock()),
    ("paragraph", ParagraphBlock()),
    ("accordion", AccordionBlock()),
]
