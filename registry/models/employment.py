"""Employment history (从业经历): who employed a worker, from when to when."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency, Branch
from registry.models.workers import ServiceCategory, Worker


class Employment(models.Model):
    """Who employed a worker, from when to when (从业经历) — the traceability record."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="employments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employments")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    service_category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("服务类型")
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("从业经历")
        verbose_name_plural = _("从业经历")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(end_date__isnull=True), name="employment_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.worker} @ {self.agency}"
