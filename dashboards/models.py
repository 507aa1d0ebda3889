"""What the dashboards keep of their own: reminders sent, export jobs, trend
snapshots, early warnings, thresholds and monthly reports.

Everything else they show is read live from the apps below through their
selectors and the read-only ``stats`` modules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from registry.models import District


class Reminder(models.Model):
    """One reminder sent to one worker for one reason on one day (never twice)."""

    class Reason(models.TextChoices):
        LESSONS = "lessons", _("课程未学完")
        EXAM_WINDOW = "exam_window", _("考试即将截止")
        CERTIFICATE = "certificate", _("证书即将到期")
        HEALTH_CHECK = "health_check", _("体检即将到期")

    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.CASCADE, related_name="+", verbose_name=_("家政服务员")
    )
    reason = models.CharField(_("提醒事项"), max_length=20, choices=Reason.choices)
    sent_on = models.DateField(_("提醒日期"))
    message = models.TextField(_("内容"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发送人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("发出时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "reason", "sent_on"], name="reminder_once_per_day"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.sent_on}"


class ExportJob(models.Model):
    """A spreadsheet of the progress report too large to build within a request."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=4)
    #: The report's query string (filters, search, ordering) at the time of the request.
    query = models.TextField(blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    file = models.FileField(upload_to="dashboards/exports/", blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")

    def __str__(self):
        return f"{self.format} #{self.pk}"


class DistrictSnapshot(models.Model):
    """The key figures of one district on one day (trend history)."""

    date = models.DateField(_("日期"))
    district = models.CharField(_("区"), max_length=20, choices=District.choices)
    figures = models.JSONField(_("指标"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "district"]
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [
            models.UniqueConstraint(fields=["date", "district"], name="snapshot_one_per_day")
        ]

    def __str__(self):
        return f"{self.district} {self.date}"


class SupervisionWarning(models.Model):
    """An early warning (预警): a rule fired on a subject; handled by a regulator."""

    class Rule(models.TextChoices):
        BLACKLISTED_EMPLOYED = "blacklisted_employed", _("黑名单人员仍在岗")
        VISIT_AFTER_LAPSE = "visit_after_lapse", _("证书失效后仍上门服务")
        AGENCY_COMPLAINTS = "agency_complaints", _("企业投诉过多")
        COMPLAINT_OVERDUE = "complaint_overdue", _("投诉超期未办结")
        FILING_OVERDUE = "filing_overdue", _("备案审核超时")
        LOW_VALID_SHARE = "low_valid_share", _("企业持证率过低")
        EXAM_SAME_ADDRESS = "exam_same_address", _("同一地址集中考试")
        EXAM_SAME_ANSWERS = "exam_same_answers", _("答题雷同")
        VIEW_REPORTED = "view_reported", _("服务员举报不认识的查看")
        WEBHOOK_DISABLED = "webhook_disabled", _("合作系统推送地址已停用")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        RESOLVED = "resolved", _("已解决")

    rule = models.CharField(_("规则"), max_length=30, choices=Rule.choices)
    #: What the warning is about, stable across runs (e.g. "agency:12"); with the
    #: rule, it is the cause that never opens a second warning while one is open.
    subject_key = models.CharField(max_length=120)
    subject_label = models.CharField(_("对象"), max_length=200)
    district = models.CharField(_("区"), max_length=20, choices=District.choices, blank=True)
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("企业"),
    )
    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("家政服务员"),
    )
    facts = models.JSONField(_("触发依据"), default=dict)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近一次核对"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(_("处理说明"), blank=True)
    auto_closed = models.BooleanField(_("自动关闭"), default=False)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        indexes = [models.Index(fields=["status", "district"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="warning_one_open_per_cause",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="warning_resolved_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.subject_label}"


class MonthlyReport(models.Model):
    """The month's supervision report; ``data`` holds every table, by district."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    data = models.JSONField(_("数据"), default=dict)
    pdf = models.FileField(upload_to="dashboards/reports/", blank=True)
    xlsx = models.FileField(upload_to="dashboards/reports/", blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")

    def __str__(self):
        return self.month.strftime("%Y-%m")


@register_setting(icon="warning")
class SupervisionSettings(BaseGenericSetting):
    """Early-warning thresholds, edited by city regulators in the admin."""

    complaints_per_agency_90d = models.PositiveIntegerField(
        _("企业 90 天内投诉上限"),
        default=5,
        help_text=_("企业及其服务员 90 天内的投诉超过此数即预警。"),
    )
    filing_review_working_days = models.PositiveIntegerField(_("备案审核时限（工作日）"), default=5)
    valid_share_min_percent = models.PositiveIntegerField(_("企业持证率下限（%）"), default=50)
    valid_share_min_workers = models.PositiveIntegerField(
        _("持证率预警最少登记人数"),
        default=5,
        help_text=_("登记人数少于此数的企业不参与持证率预警。"),
    )
    exam_attempts_per_address = models.PositiveIntegerField(
        _("同一地址一小时内考试人数上限"), default=10
    )
    exam_same_answers_workers = models.PositiveIntegerField(
        _("答题雷同人数"),
        default=3,
        help_text=_("这么多名服务员的作答完全相同（含错题）即预警。"),
    )
    exam_same_answers_min_wrong = models.PositiveIntegerField(
        _("雷同答卷最少错题数"),
        default=2,
        help_text=_("全对的答卷相同不算雷同，须有这么多道相同的错题。"),
    )
    exam_lookback_days = models.PositiveIntegerField(_("考试异常回溯天数"), default=7)

    panels = [
        MultiFieldPanel(
            [FieldPanel("complaints_per_agency_90d"), FieldPanel("filing_review_working_days")],
            heading=_("企业与备案"),
        ),
        MultiFieldPanel(
            [FieldPanel("valid_share_min_percent"), FieldPanel("valid_share_min_workers")],
            heading=_("持证率"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("exam_attempts_per_address"),
                FieldPanel("exam_same_answers_workers"),
                FieldPanel("exam_same_answers_min_wrong"),
                FieldPanel("exam_lookback_days"),
            ],
            heading=_("考试异常"),
        ),
    ]

    class Meta:
        verbose_name = _("预警阈值")
