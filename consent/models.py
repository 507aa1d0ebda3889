"""Consent to see a worker's full record, the grants it opens, and the log of every view.

A household (or an agency) asks; the worker answers on their own phone; a
yes opens a :class:`ConsentGrant` for the time the worker chose. Every time
someone sees the worker's information, a :class:`WorkerView` row says when,
how and who (masked); it keeps no IP address, only a keyed hash of it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ViewerKind(models.TextChoices):
    HOUSEHOLD = "household", _("住户")
    AGENCY = "agency", _("家政企业")
    PARTNER = "partner", _("合作单位")
    PUBLIC = "public", _("公众查询")


class ConsentRequest(models.Model):
    """One request to see a worker's full record, waiting for the worker's answer.

    A pending request past ``expires_at`` counts as expired (no sweep needed).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待服务员确认")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已拒绝")

    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("家政服务员"),
    )
    viewer_kind = models.CharField(_("请求方"), max_length=20, choices=ViewerKind.choices)
    #: Shown to the worker and in their view log: "住户扫码" or the agency's name.
    viewer_label = models.CharField(_("请求方名称"), max_length=200)
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("企业"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    matching_number = models.CharField(_("核对码"), max_length=6)
    #: Keyed hash of the secret in the asking browser's cookie (households only).
    browser_hash = models.CharField(max_length=64, blank=True, db_index=True)
    #: Keyed hash of the client's address: counts pending requests per client.
    client_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("授权请求")
        verbose_name_plural = _("授权请求")
        indexes = [
            models.Index(fields=["worker", "status", "expires_at"]),
            models.Index(fields=["client_hash", "status", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.viewer_label} · {self.matching_number}"


class ConsentGrant(models.Model):
    """What a worker's yes opens: the full record, for one browser or one agency, until a time.

    A household's grant is bound to its browser by a random token in an
    HttpOnly cookie; only a keyed hash of it is stored, and it is replaced on
    every view (``token_hash`` now, ``previous_token_hash`` just before), so a
    copied cookie shows up as a replay. An agency's grant is bound to the
    staff account that asked.
    """

    class Ended(models.TextChoices):
        WITHDRAWN = "withdrawn", _("服务员已撤回")
        REPLAYED = "replayed", _("授权在另一台设备上被使用")

    request = models.OneToOneField(
        ConsentRequest, on_delete=models.CASCADE, related_name="grant", verbose_name=_("请求")
    )
    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("家政服务员"),
    )
    viewer_kind = models.CharField(_("查看方"), max_length=20, choices=ViewerKind.choices)
    viewer_label = models.CharField(_("查看方名称"), max_length=200)
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("企业"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    previous_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("同意时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_reason = models.CharField(_("结束原因"), max_length=20, choices=Ended.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("查看授权")
        verbose_name_plural = _("查看授权")
        indexes = [models.Index(fields=["worker", "ended_at", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(ended_reason=""),
                name="consent_grant_ended_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.viewer_label} · {self.expires_at:%Y-%m-%d %H:%M}"


class RequestPause(models.Model):
    """A worker refuses every request until ``until`` (拒绝所有请求一天)."""

    worker = models.OneToOneField(
        "registry.Worker",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("家政服务员"),
    )
    until = models.DateTimeField(_("暂停至"))

    class Meta:
        verbose_name = _("暂停接受请求")
        verbose_name_plural = _("暂停接受请求")

    def __str__(self):
        return f"{self.worker_id} · {self.until:%Y-%m-%d %H:%M}"


#: The view log's table, named for the set-based insert of many views (consent.services).
WORKER_VIEW_TABLE = "consent_workerview"


class WorkerView(models.Model):
    """One look at a worker's information: when, what kind, by whom (masked)."""

    class Kind(models.TextChoices):
        CERTIFICATE_SCAN = "certificate_scan", _("扫描纸质证书二维码")
        LIVE_SCAN = "live_scan", _("扫描动态码")
        LOOKUP = "lookup", _("家政员查询结果")
        FULL_RECORD = "full_record", _("经你授权查看完整档案")
        PARTNER_API = "partner_api", _("合作单位接口读取")

    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("家政服务员"),
    )
    kind = models.CharField(_("查看方式"), max_length=20, choices=Kind.choices)
    viewer_kind = models.CharField(_("查看方"), max_length=20, choices=ViewerKind.choices)
    #: Masked: "住户扫码", "公众查询", the agency's or the partner's name; never a person.
    viewer_label = models.CharField(_("查看方名称"), max_length=200)
    #: Keyed hash (salted_hmac) of the client's address, for abuse checks; never the address.
    client_hash = models.CharField(max_length=64, blank=True)
    viewed_at = models.DateTimeField(_("查看时间"), db_index=True)
    reported_at = models.DateTimeField(_("举报时间"), null=True, blank=True)

    class Meta:
        db_table = WORKER_VIEW_TABLE
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("查看记录")
        verbose_name_plural = _("查看记录")
        indexes = [models.Index(fields=["worker", "-viewed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.viewer_label}"
