"""Domestic workers (家政服务员) and the service categories they offer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.masking import mask_id_number, mask_name
from registry.models.agencies import Agency, Branch


class ServiceCategory(models.Model):
    """A kind of home service (家务服务, 母婴护理, 养老护理, …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")

    def __str__(self):
        return self.name


class Worker(models.Model):
    """A domestic worker (家政服务员) filed in the registry.

    The resident ID number is never stored in clear: ``id_number_encrypted``
    holds it under MultiFernet and ``id_number_hash`` is a keyed HMAC for
    equality lookup (see lms.crypto and docs/privacy.md).
    """

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(_("身份证号（加密）"), editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_last4 = models.CharField(_("身份证后四位"), max_length=4, db_index=True, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
        verbose_name=_("登录账户"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("备案机构"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("门店"),
    )
    photo = models.ImageField(_("照片"), upload_to="workers/photos/", blank=True)
    photo_thumbnail = models.ImageField(
        _("照片缩略图"), upload_to="workers/thumbs/", blank=True, editable=False
    )
    health_check_date = models.DateField(_("体检日期"), null=True, blank=True)
    health_check_expiry = models.DateField(_("体检有效期至"), null=True, blank=True)
    service_categories = models.ManyToManyField(
        ServiceCategory, blank=True, related_name="workers", verbose_name=_("服务类别")
    )
    card_number = models.CharField(
        _("家政卡号"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    card_issued_at = models.DateTimeField(_("发卡时间"), null=True, blank=True, editable=False)
    #: The door colour last announced to partners (``door.changed`` events); "" before the
    #: first. Written only by ``certificates.door_events``, which owns the rule.
    door_colour_announced = models.CharField(
        _("已通告的上门码"), max_length=6, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("家政服务员")
        verbose_name_plural = _("家政服务员")
        indexes = [
            models.Index(fields=["name", "id_last4"]),
            models.Index(fields=["agency", "branch"]),
        ]

    def __str__(self):
        return mask_name(self.name)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def id_number(self) -> str:
        from lms.crypto import decrypt

        return decrypt(self.id_number_encrypted)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
