"""Filings (备案): their history, and transfer requests between agencies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency, Branch
from registry.models.choices import FilingStatus
from registry.models.workers import Worker


class Filing(models.Model):
    """A reviewed registration (备案/登记注册) of a worker or of an agency.

    A worker who changes agencies keeps one ``Worker`` row (one card number)
    and gains one filing per agency: the newest is current, the older ones
    stay as history. Every read of "the worker's filing" reads the current one
    (``is_current``; at most one per worker, a database rule).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("新备案")
        TRANSFER = "transfer", _("转入")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, null=True, blank=True, related_name="filings"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="filings"
    )
    #: The agency that filed the worker (a worker filing's own agency, kept when the worker moves).
    filing_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="worker_filings",
        verbose_name=_("备案机构"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    is_current = models.BooleanField(_("当前备案"), default=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    reason = models.TextField(_("审核意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(worker__isnull=False) & Q(agency__isnull=True))
                | (Q(worker__isnull=True) & Q(agency__isnull=False)),
                name="filing_exactly_one_subject",
            ),
            # One current filing per worker; a transfer makes the older one history.
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(is_current=True),
                name="filing_one_current_per_worker",
            ),
            models.UniqueConstraint(fields=["agency"], name="filing_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.worker or self.agency} · {self.get_status_display()}"

    def subject(self):
        return self.worker or self.agency

    subject.short_description = _("对象")
    subject = property(subject)

    def subject_agency(self):
        if self.agency_id:
            return self.agency
        if self.filing_agency_id:
            return self.filing_agency
        return self.worker.agency if self.worker else None

    subject_agency.short_description = _("企业")
    subject_agency = property(subject_agency)

    def subject_district(self) -> str:
        agency = self.subject_agency
        return agency.get_district_display() if agency else ""

    subject_district.short_description = _("所在区")
    subject_district = property(subject_district)


class FilingTransition(models.Model):
    """One step in a filing's history: who moved it from what to what, and why."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=FilingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=FilingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("备案记录")
        verbose_name_plural = _("备案记录")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class TransferRequest(models.Model):
    """An agency's wish to file a worker who is still employed elsewhere (转入申请).

    Made when such a filing is refused; the worker sees it on their own page
    and may confirm it, which ends the old employment and files the worker
    with the requesting agency.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待本人确认")
        CONFIRMED = "confirmed", _("本人已确认")
        DECLINED = "declined", _("本人已拒绝")
        DONE = "done", _("已转入")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="transfer_requests")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="transfer_requests",
        verbose_name=_("申请机构"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("转入申请")
        verbose_name_plural = _("转入申请")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "agency"],
                condition=Q(status="pending"),
                name="transfer_request_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.worker} → {self.agency} · {self.get_status_display()}"
