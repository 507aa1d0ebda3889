"""The public lookup pages (Wagtail): worker traceability and agency credit."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lms.pages import IntroDescribed


class WorkerTraceLookupPage(IntroDescribed, Page):
    """Public worker traceability lookup (家政服务员信息追溯查询), by card or name + ID tail."""

    intro = RichTextField(_("说明"), blank=True)
    privacy_note = models.CharField(
        _("隐私提示"),
        max_length=255,
        blank=True,
        default=_("查询结果已脱敏：姓名只显示首尾字，不显示身份证号和手机号。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("privacy_note")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list = []

    class Meta:
        verbose_name = _("家政服务员追溯查询页")

    def serve(self, request, *args, **kwargs):
        from registry.views import worker_trace_lookup

        return worker_trace_lookup(request, page=self)


class AgencyCreditLookupPage(IntroDescribed, Page):
    """Public agency credit lookup (家政企业信用查询), by name or credit code."""

    intro = RichTextField(_("说明"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list = []

    class Meta:
        verbose_name = _("家政企业信用查询页")

    def serve(self, request, *args, **kwargs):
        from registry.views import agency_credit_lookup

        return agency_credit_lookup(request, page=self)
