"""Certificate types and certificates (证书 / 上门服务证)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")

    def __str__(self):
        return self.name


class Certificate(models.Model):
    """One issued certificate. Its status is derived from dates, revocation and supersession."""

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
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            # Issuing twice for one attempt yields one certificate.
            models.UniqueConstraint(
                fields=["attempt"],
                condition=Q(attempt__isnull=False) & Q(superseded_by__isnull=True),
                name="certificate_one_per_attempt",
            ),
        ]

    def __str__(self):
        return self.number


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
