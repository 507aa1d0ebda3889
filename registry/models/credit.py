"""Credit records (信用记录) about a worker or an agency."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency
from registry.models.workers import Worker


class CreditRecord(models.Model):
    """A commendation, complaint, violation or blacklisting about a worker or an agency."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", _("表彰")
        COMPLAINT = "complaint", _("投诉")
        VIOLATION = "violation", _("违规")
        BLACKLIST = "blacklist", _("列入黑名单")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, null=True, blank=True, related_name="credit_records"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="credit_records"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("来源"), max_length=120)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("说明"))
    is_public = models.BooleanField(_("公开"), default=True)
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        constraints = [
            models.CheckConstraint(
                condition=(Q(worker__isnull=False) & Q(agency__isnull=True))
                | (Q(worker__isnull=True) & Q(agency__isnull=False)),
                name="credit_record_exactly_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.worker or self.agency}"
