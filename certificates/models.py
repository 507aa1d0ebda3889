"""Certificate types and certificates (证书 / 上门服务证).

Whether a certificate is current or valid is defined here once:
:class:`CertificateQuerySet` for the database, :meth:`Certificate.status_on` for one row.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lms.pages import IntroDescribed


class RenewalRule(models.TextChoices):
    """How a holder renews a certificate of a type before (or after) it expires."""

    REEXAM = "reexam", _("重新参加考试")
    REFRESHER = "refresher", _("完成复训课程")


class CertificateType(models.Model):
    """A kind of certificate, what earns it, and how its PDF looks."""

    name = models.CharField(_("名称"), max_length=80)
    code = models.CharField(
        _("代码"),
        max_length=10,
        unique=True,
        help_text=_("用于证书编号，例如 JZ → SH-JZ-2026-000123。"),
    )
    issuing_authority = models.CharField(_("发证机关"), max_length=120)
    validity_months = models.PositiveIntegerField(_("有效期（月）"), default=36)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate_types",
        verbose_name=_("课程"),
    )
    exam = models.ForeignKey(
        "exams.Exam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate_types",
        verbose_name=_("考试"),
    )
    pdf_title = models.CharField(_("证书标题"), max_length=80, blank=True)
    pdf_wording = models.TextField(_("证书正文"), blank=True)
    seal_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("印章/标志"),
    )
    template_revision = models.PositiveIntegerField(default=1, editable=False)
    renewal_rule = models.CharField(
        _("换证方式"), max_length=20, choices=RenewalRule.choices, default=RenewalRule.REEXAM
    )
    refresher_course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复训课程"),
        help_text=_("换证方式为“完成复训课程”时，持证人学完这门课程即可换证。"),
    )
    renewal_window_days = models.PositiveIntegerField(
        _("到期前可换证天数"), default=90, help_text=_("到期前多少天起可以申请换证。")
    )

    class Meta:
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")

    def __str__(self):
        return self.name


class CertificateQuerySet(models.QuerySet):
    """Certificates by state: the one definition of "current" and "valid".

    :meth:`Certificate.status_on` is the same rule for one row in Python;
    ``tests/certificates/test_validity_agreement.py`` checks that the two agree.
    """

    @staticmethod
    def current_condition() -> Q:
        """Neither revoked nor superseded (it may still have expired): :attr:`Certificate.is_current`."""
        return Q(revoked_at__isnull=True, superseded_by__isnull=True)

    @staticmethod
    def valid_condition(on: datetime.date) -> Q:
        """Valid on day `on` as the rows stand now: current, issued on or before `on`, and
        expiring on or after it (the expiry day still counts); for aggregates and subqueries."""
        return CertificateQuerySet.current_condition() & Q(issued_on__lte=on, expires_on__gte=on)

    @staticmethod
    def held_condition(on: datetime.date) -> Q:
        """Valid on a past day `on` as things stood then: a revocation after `on`, or a renewal
        or reissue issued after it, does not count yet. For reports over past periods; on
        today it selects what :meth:`valid_condition` selects, as revocations happen now and
        new certificates are never issued in the future."""
        return (
            Q(issued_on__lte=on, expires_on__gte=on)
            & (Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=on))
            & (Q(superseded_by__isnull=True) | Q(superseded_by__issued_on__gt=on))
        )

    def current(self) -> CertificateQuerySet:
        """The certificates neither revoked nor superseded."""
        return self.filter(self.current_condition())

    def valid(self, *, on: datetime.date) -> CertificateQuerySet:
        """The certificates whose :meth:`Certificate.status_on` day `on` is ``VALID``."""
        return self.filter(self.valid_condition(on))


class Certificate(models.Model):
    """One issued certificate. Its status is derived from dates, revocation and supersession.

    A reissue (lost card) is a new row with the same number, the next
    revision and a new token; a renewal is a new row with a new number. In
    both cases the old row points at the new one with ``superseded_by``.
    """

    class Origin(models.TextChoices):
        ISSUE = "issue", _("首次发证")
        RENEWAL = "renewal", _("换证")
        REISSUE = "reissue", _("补发")

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤销")
        SUPERSEDED = "superseded", _("已被新证书取代")
        NOT_YET_VALID = "not_yet_valid", _("尚未生效")

    type = models.ForeignKey(CertificateType, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("证书编号"), max_length=30)
    token = models.CharField(max_length=64, unique=True, editable=False)
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.ForeignKey(
        "exams.Attempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("发证时所在机构"),
    )
    card_number = models.CharField(_("家政卡号"), max_length=20, blank=True)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    revision = models.PositiveIntegerField(default=1)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to="certificates/pdf/", blank=True)
    pdf_revision = models.CharField(max_length=64, blank=True)
    #: The faces that drew the stored files (pdf.font_signature); blank: rendered
    #: before it was recorded. certificates_rerender_pdfs finds deficient ones by it.
    pdf_fonts = models.CharField(max_length=200, blank=True)
    card_pdf = models.FileField(_("卡片"), upload_to="certificates/cards/", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(
        _("来源"), max_length=10, choices=Origin.choices, default=Origin.ISSUE
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expiry_reminded_on = models.DateField(_("到期提醒日期"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        permissions = [
            ("revoke_certificate", _("可以撤销证书")),
            ("reissue_certificate", _("可以补发证书")),
            ("bulk_certificate", _("可以批量发证和重新生成证书")),
        ]
        indexes = [
            models.Index(fields=["worker", "type"]),
            models.Index(fields=["expires_on"]),
        ]
        constraints = [
            # Issuing twice for one attempt yields one certificate.
            models.UniqueConstraint(
                fields=["attempt"],
                condition=Q(attempt__isnull=False) & Q(superseded_by__isnull=True),
                name="certificate_one_per_attempt",
            ),
            # A number is handed out once; reissues of it count up the revision.
            models.UniqueConstraint(
                fields=["number", "revision"], name="certificate_number_revision_unique"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]

    def __str__(self):
        return self.number

    def status_on(self, day: datetime.date) -> Certificate.Status:
        """The status on `day` as the row stands now: revoked, then superseded, then not yet
        valid (issued after `day`), then expired (after ``expires_on``), else valid.

        ``VALID`` exactly when :meth:`CertificateQuerySet.valid` (on `day`) selects the row.
        """
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.superseded_by_id is not None:
            return self.Status.SUPERSEDED
        if day < self.issued_on:
            return self.Status.NOT_YET_VALID
        if self.expires_on < day:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def is_current(self) -> bool:
        """Neither revoked nor superseded (it may still have expired)."""
        return self.revoked_at is None and self.superseded_by_id is None


class CertificateSequence(models.Model):
    """The last number issued per type and year; locked row by row for gap-free numbering."""

    type = models.ForeignKey(CertificateType, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "year"], name="certificate_sequence_unique")
        ]

    def __str__(self):
        return f"{self.type_id}-{self.year}: {self.last_value}"


class CertificateBatch(models.Model):
    """A bulk job run in Celery chunks: regenerate a type's PDFs, or issue for a cohort."""

    class Kind(models.TextChoices):
        REGENERATE = "regenerate", _("重新生成证书文件")
        ISSUE = "issue", _("批量发证")

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    type = models.ForeignKey(
        CertificateType,
        on_delete=models.CASCADE,
        related_name="batches",
        verbose_name=_("证书类型"),
    )
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("限定机构"),
    )
    passed_since = models.DateField(_("考试通过日期起"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    failed = models.PositiveIntegerField(_("未成功"), default=0)
    #: The last refusals or errors, [{"id": 12, "message": "…"}, …] (at most 50).
    errors = models.JSONField(_("问题"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量任务")
        verbose_name_plural = _("批量任务")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.type}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, (self.done + self.failed) * 100 // self.total)


class CertificateLookupPage(IntroDescribed, Page):
    """Public lookup by certificate number plus holder name, for people who cannot scan."""

    intro = RichTextField(_("说明"), blank=True)
    privacy_note = models.CharField(
        _("隐私提示"),
        max_length=255,
        blank=True,
        default=_("请输入证书编号和持证人完整姓名。结果中的姓名已脱敏。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("privacy_note")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list = []

    class Meta:
        verbose_name = _("证书查询页")

    def serve(self, request, *args, **kwargs):
        from .views import certificate_lookup

        return certificate_lookup(request, page=self)


class CredentialStatusList(models.Model):
    """One W3C Bitstring Status List (purpose "revocation") of ``size`` entries.

    Indexes are handed out once each, in an order scrambled by an odd
    ``stride`` (a bijection modulo the power-of-two size), so neighbouring
    indexes do not reveal which credentials were issued together. The signed
    ``BitstringStatusListCredential`` is kept in ``document`` and rebuilt
    after commit whenever a certificate in it is revoked or superseded.
    """

    size = models.PositiveIntegerField(default=131_072)
    #: How many indexes have been handed out; the next is (stride * allocated + offset) % size.
    allocated = models.PositiveIntegerField(default=0)
    stride = models.PositiveIntegerField()
    offset = models.PositiveIntegerField()
    document = models.JSONField(null=True, blank=True, editable=False)
    built_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证书状态列表")
        verbose_name_plural = _("证书状态列表")
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="status_list_not_overfull"
            )
        ]

    def __str__(self):
        return f"{self.pk}: {self.allocated}/{self.size}"

    @property
    def is_full(self) -> bool:
        return self.allocated >= self.size


class CertificateCredential(models.Model):
    """The verifiable credential (Open Badges 3.0) of one certificate row.

    A reissue or renewal is a new certificate row and so gets its own
    credential; the old one's status bit is set. The credential document is
    signed on demand from this record and the certificate: nothing here is
    personal except the salt of the ID-number hash.
    """

    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="credential"
    )
    uuid = models.UUIDField(unique=True, editable=False)
    status_list = models.ForeignKey(
        CredentialStatusList, on_delete=models.PROTECT, related_name="credentials"
    )
    status_index = models.PositiveIntegerField()
    #: Salt of the OB 3.0 IdentityObject hash of the holder's ID number.
    salt = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(editable=False)

    class Meta:
        verbose_name = _("可验证证书")
        verbose_name_plural = _("可验证证书")
        constraints = [
            # An index is never reused: one credential per (list, index), ever.
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_index_unique"
            )
        ]

    def __str__(self):
        return f"urn:uuid:{self.uuid}"
