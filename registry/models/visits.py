"""Household trust: service visits confirmed at the door (上门确认) and their ratings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.choices import District
from registry.models.credit import CreditRecord
from registry.models.workers import ServiceCategory, Worker


class ServiceVisit(models.Model):
    """A household's confirmation that a worker entered their home (上门确认).

    The household's contact is optional, stored encrypted, and shown only
    masked. The one-time rating link's token is stored as a keyed hash, so
    the database alone cannot rebuild the link.
    """

    class ScannedVia(models.TextChoices):
        PRINTED = "printed", _("纸质证书二维码")
        LIVE = "live", _("手机动态码")

    worker = models.ForeignKey(
        Worker,
        on_delete=models.CASCADE,
        related_name="service_visits",
        verbose_name=_("家政服务员"),
    )
    service_category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务类型"),
    )
    service_date = models.DateField(_("服务日期"))
    district = models.CharField(_("服务所在区"), max_length=20, choices=District.choices)
    contact_encrypted = models.TextField(_("雇主联系方式（加密）"), blank=True, editable=False)
    contact_masked = models.CharField(_("雇主联系方式"), max_length=20, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("确认时间"), db_index=True)
    scanned_via = models.CharField(
        _("扫码方式"), max_length=10, choices=ScannedVia.choices, default=ScannedVia.PRINTED
    )
    rating_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    rating_link_expires_at = models.DateTimeField(_("评价链接有效期至"))

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        verbose_name = _("上门服务记录")
        verbose_name_plural = _("上门服务记录")
        indexes = [models.Index(fields=["worker", "confirmed_at"])]

    def __str__(self):
        return f"{self.worker} · {self.service_date.isoformat()}"

    @property
    def household_label(self) -> str:
        return self.contact_masked or str(_("雇主（未留联系方式）"))


class VisitRating(models.Model):
    """One rating per visit (1–5 stars); its comment shows publicly only once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    visit = models.OneToOneField(
        ServiceVisit, on_delete=models.CASCADE, related_name="rating", verbose_name=_("上门服务")
    )
    stars = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价内容"), blank=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderation_note = models.CharField(_("审核意见"), max_length=255, blank=True)
    credit_record = models.OneToOneField(
        CreditRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_rating",
        verbose_name=_("转为信用记录"),
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("上门评价")
        verbose_name_plural = _("上门评价")
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("moderate_visitrating", _("可以审核上门评价并转为信用记录"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="visit_rating_stars_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.stars}★ · {self.visit}"
