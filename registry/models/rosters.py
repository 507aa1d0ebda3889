"""Roster imports (花名册): an uploaded file of workers and its progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency, Branch


class RosterImport(models.Model):
    """An uploaded roster (花名册) of workers, validated row by row and filed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("处理失败")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="roster_imports")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="registry/rosters/")
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("已备案"), default=0)
    error_count = models.PositiveIntegerField(_("有误行数"), default=0)
    #: [{"row": 3, "column": "身份证号", "message": "…"}, …]
    errors = models.JSONField(_("错误"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    #: Heartbeat: moved on at every chunk, so a stalled import can be told from a long one.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
