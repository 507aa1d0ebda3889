"""Partner systems (合作系统) that exchange data with the platform, their OAuth clients, and
the log of their calls.

A partner's client secrets are django-oauth-toolkit ``Application`` rows, one per
secret (``PartnerCredential`` links each to its partner): DOT stores the secret
hashed, issues and checks the tokens, and deleting the application on revocation
deletes every token issued with it. During a rotation a partner has two live
credentials and either works. What a partner may ask for is its ``scopes``; a
token never carries more (``partners.oauth.PartnerScopes``), and every call checks
the partner again (disabled, narrowed, address), so a change applies at once.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oauth2_provider.settings import oauth2_settings

from registry.models import Agency


class Scope(models.TextChoices):
    """What a token may do. ``pii:read`` unmasks names, ID numbers and phones."""

    CERTIFICATES_READ = "certificates:read", _("查询证书")
    WORKERS_READ = "workers:read", _("查询服务员")
    WORKERS_WRITE = "workers:write", _("报送本机构服务员（备案、从业）")
    CREDIT_READ = "credit:read", _("查询信用")
    CREDIT_WRITE = "credit:write", _("报送信用记录")
    HEALTH_WRITE = "health:write", _("报送体检结果")
    INSURANCE_WRITE = "insurance:write", _("报送保险")
    CHANGES_READ = "changes:read", _("读取变更")
    PII_READ = "pii:read", _("读取完整个人信息（须说明用途）")


#: Scopes only an agency's own system may hold (its own agency's workers).
AGENCY_ONLY_SCOPES = frozenset({Scope.WORKERS_WRITE})
#: Scopes only government and national platforms may hold.
GOVERNMENT_ONLY_SCOPES = frozenset({Scope.PII_READ})
#: Scopes only one kind of partner may hold: what it reports, it alone knows.
KIND_ONLY_SCOPES = {
    Scope.HEALTH_WRITE: "health",
    Scope.INSURANCE_WRITE: "insurer",
    Scope.CREDIT_WRITE: "credit",
}


def parse_networks(text: str) -> list[str]:
    """The IP networks of an allowlist, one a line or comma-separated, normalised
    ("10.1.2.3" → "10.1.2.3/32"); raises ValidationError naming the first bad entry."""
    networks = []
    for entry in text.replace(",", "\n").split():
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError as exc:
            raise ValidationError(
                _("“%(entry)s”不是有效的 IP 地址或网段（例如 10.1.2.0/24）。"),
                code="bad_network",
                params={"entry": entry},
            ) from exc
    return networks


class Partner(models.Model):
    """A registered partner system: who it is, what it may do, from where, how often."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政务平台")
        CREDIT = "credit", _("信用平台")
        NATIONAL = "national", _("国家平台")
        AGENCY = "agency", _("企业平台")
        HEALTH = "health", _("体检机构")
        INSURER = "insurer", _("保险机构")

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    #: Space-separated, as OAuth writes scopes.
    scope = models.TextField(_("权限范围"), blank=True)
    allowed_networks = models.TextField(
        _("IP 白名单"),
        blank=True,
        help_text=_("每行一个 IP 地址或网段（CIDR），例如 10.1.2.0/24；留空则不限来源地址。"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_systems",
        verbose_name=_("所属企业"),
        help_text=_("仅企业平台：该系统只能代表这家企业。"),
    )
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=120)
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后该系统的令牌立即失效，也不能再换取令牌。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("合作系统")
        verbose_name_plural = _("合作系统")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="agency") & Q(agency__isnull=False))
                | (~Q(kind="agency") & Q(agency__isnull=True)),
                name="partner_agency_iff_agency_system",
            ),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1), name="partner_rate_at_least_one"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def scopes(self) -> list[str]:
        """The partner's scopes, in the order of :class:`Scope`."""
        held = set(self.scope.split())
        return [value for value in Scope.values if value in held]

    @property
    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(entry) for entry in self.allowed_networks.split()]

    def allows_address(self, address: str) -> bool:
        """Whether a call from `address` is allowed (an empty allowlist allows any)."""
        networks = self.networks
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks if network.version == ip.version)

    def clean(self):
        errors = {}
        unknown = set(self.scope.split()) - set(Scope.values)
        if unknown:
            errors["scope"] = _("未知的权限：%(names)s") % {"names": " ".join(sorted(unknown))}
        held = set(self.scope.split())
        if self.kind != self.Kind.AGENCY and held & AGENCY_ONLY_SCOPES:
            errors["scope"] = _("“报送本机构服务员”只能授予企业平台。")
        if self.kind not in (self.Kind.GOVERNMENT, self.Kind.NATIONAL) and (
            held & GOVERNMENT_ONLY_SCOPES
        ):
            errors["scope"] = _("“读取完整个人信息”只能授予政务平台和国家平台。")
        for scope, kind in KIND_ONLY_SCOPES.items():
            if scope in held and self.kind != kind:
                errors["scope"] = _("“%(scope)s”只能授予%(kind)s。") % {
                    "scope": Scope(scope).label,
                    "kind": self.Kind(kind).label,
                }
        if self.kind == self.Kind.AGENCY and not self.agency_id:
            errors["agency"] = _("企业平台必须指定所属企业。")
        if self.kind != self.Kind.AGENCY and self.agency_id:
            errors["agency"] = _("只有企业平台可以指定所属企业。")
        try:
            self.allowed_networks = "\n".join(parse_networks(self.allowed_networks))
        except ValidationError as exc:
            errors["allowed_networks"] = exc
        if errors:
            raise ValidationError(errors)


class PartnerCredential(models.Model):
    """One client id and secret of a partner: a DOT application of its own.

    Revoking deletes the application (and with it every token it was issued) and
    keeps this row, with the client id, as history.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("合作系统")
    )
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_credential",
    )
    client_id = models.CharField(_("客户端 ID"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("客户端密钥")
        verbose_name_plural = _("客户端密钥")

    def __str__(self):
        return f"{self.partner} · {self.client_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.application_id is not None


class PartnerCall(models.Model):
    """One call of the partner API or its token endpoint, refusals included (调用记录)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("合作系统"),
    )
    client_id = models.CharField(_("客户端 ID"), max_length=100, blank=True)
    method = models.CharField(_("方法"), max_length=10)
    endpoint = models.CharField(_("接口"), max_length=60)
    scope = models.CharField(_("所需权限"), max_length=200, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    subjects = models.PositiveIntegerField(_("涉及对象数"), default=0)
    status = models.PositiveSmallIntegerField(_("状态码"))
    problem = models.CharField(_("错误类型"), max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    client_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("调用记录")
        verbose_name_plural = _("调用记录")
        indexes = [
            models.Index(fields=["partner", "at"]),
            models.Index(fields=["endpoint", "at"]),
            models.Index(fields=["status", "at"]),
        ]

    def __str__(self):
        return f"{self.partner or '—'} · {self.endpoint} · {self.status}"


class IdempotentRequest(models.Model):
    """The first answer to a partner's write under one ``Idempotency-Key``: a retry with
    the same key and the same request gets this answer again and changes nothing; the
    same key with a different request is refused."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="idempotent_requests"
    )
    key = models.CharField(_("幂等键"), max_length=255)
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=300)
    #: SHA-256 of the method, path and body, to tell a retry from a different request.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(_("状态码"))
    body = models.JSONField(_("答复"), default=dict)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partner_idempotency_key")
        ]

    def __str__(self):
        return f"{self.partner_id} · {self.key}"


class WebhookEndpoint(models.Model):
    """An HTTPS address of a partner that receives change events, signed (推送地址).

    The signing secret (Standard Webhooks ``whsec_<base64>``) is stored encrypted
    (lms.crypto), since signing needs it in clear; after a rotation the previous
    secret still signs, beside the new one, until ``previous_secret_until``. The
    endpoint follows the outbox from its own cursor (``cursor_txid``, ``cursor_id``):
    every event after it becomes a delivery row (``partners.webhooks.fanout``).
    """

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("合作系统"),
    )
    url = models.URLField(_("推送地址"), max_length=500)
    #: Space-separated event types; empty means every type.
    event_types = models.TextField(_("订阅的事件"), blank=True)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    #: Whether the platform disabled it because its deliveries were abandoned (a warning).
    disabled_for_failures = models.BooleanField(default=False)
    cursor_txid = models.BigIntegerField(default=0, editable=False)
    cursor_id = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partner", "pk"]
        verbose_name = _("推送地址")
        verbose_name_plural = _("推送地址")

    def __str__(self):
        return f"{self.partner} · {self.url}"

    @property
    def types(self) -> list[str]:
        return self.event_types.split()


class WebhookDelivery(models.Model):
    """One event to send to one endpoint, and how its attempts went (推送记录).

    The row is the truth: a Celery message only says "try it now". A first delivery
    is unique per (endpoint, event); a replay is a new row flagged ``replay``.
    ``queued_at`` is when a message for the due attempt was sent: the reconciler sends
    again what stayed pending long after it (a lost message, a killed worker).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败待重试")
        ABANDONED = "abandoned", _("已放弃")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("推送地址"),
    )
    event = models.ForeignKey(
        "lms.ChangeEvent", on_delete=models.CASCADE, related_name="+", verbose_name=_("事件")
    )
    replay = models.BooleanField(_("重放"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近状态码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(replay=False),
                name="webhook_first_delivery_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(fields=["endpoint", "created_at"], name="webhook_endpoint_recent"),
        ]

    def __str__(self):
        return f"{self.endpoint_id} · {self.event_id} · {self.status}"
