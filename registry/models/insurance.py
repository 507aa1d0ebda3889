"""A worker's liability insurance (责任保险), household trust."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.masking import mask_tail
from registry.models.workers import Worker


class Insurance(models.Model):
    """A worker's liability insurance (责任保险). The policy number is stored encrypted."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="insurances", verbose_name=_("家政服务员")
    )
    insurer = models.CharField(_("保险公司"), max_length=80)
    policy_number_encrypted = models.TextField(_("保单号（加密）"), editable=False)
    #: Keyed digest of the policy number: the same policy is entered once per worker.
    policy_number_hash = models.CharField(max_length=64, editable=False)
    start_date = models.DateField(_("生效日期"))
    end_date = models.DateField(_("到期日期"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-end_date", "-pk"]
        verbose_name = _("责任保险")
        verbose_name_plural = _("责任保险")
        indexes = [models.Index(fields=["worker", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="insurance_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["worker", "policy_number_hash"], name="insurance_policy_once_per_worker"
            ),
        ]

    def __str__(self):
        return f"{self.insurer} {self.masked_policy_number}"

    @property
    def masked_policy_number(self) -> str:
        from lms.crypto import decrypt

        return mask_tail(decrypt(self.policy_number_encrypted))

    masked_policy_number.fget.short_description = _("保单号")

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date
