"""Choices several registry models share: Shanghai's districts, a filing's status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.TextChoices):
    """The 16 districts of Shanghai."""

    HUANGPU = "huangpu", _("黄浦区")
    XUHUI = "xuhui", _("徐汇区")
    CHANGNING = "changning", _("长宁区")
    JINGAN = "jingan", _("静安区")
    PUTUO = "putuo", _("普陀区")
    HONGKOU = "hongkou", _("虹口区")
    YANGPU = "yangpu", _("杨浦区")
    MINHANG = "minhang", _("闵行区")
    BAOSHAN = "baoshan", _("宝山区")
    JIADING = "jiading", _("嘉定区")
    PUDONG = "pudong", _("浦东新区")
    JINSHAN = "jinshan", _("金山区")
    SONGJIANG = "songjiang", _("松江区")
    QINGPU = "qingpu", _("青浦区")
    FENGXIAN = "fengxian", _("奉贤区")
    CHONGMING = "chongming", _("崇明区")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已登记")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已注销")
