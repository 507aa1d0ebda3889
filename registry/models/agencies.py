"""Home-service agencies (家政企业) and their branches (门店)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.choices import District, FilingStatus


class Agency(models.Model):
    """A home-service company (家政企业), identified by its unified social credit code."""

    name = models.CharField(_("企业名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    filing_status = models.CharField(
        _("备案状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    is_demonstration_station = models.BooleanField(_("示范性家政服务站"), default=False)
    demonstration_year = models.PositiveSmallIntegerField(
        _("示范站认定年份"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("家政企业")
        verbose_name_plural = _("家政企业")
        indexes = [models.Index(fields=["district", "filing_status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_demonstration_station=False) | Q(demonstration_year__isnull=False),
                name="agency_demonstration_has_year",
            )
        ]

    def __str__(self):
        return self.name


class Branch(models.Model):
    """An agency's outlet (门店)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("门店名称"), max_length=120)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("门店")
        verbose_name_plural = _("门店")

    def __str__(self):
        return f"{self.agency} · {self.name}"
