from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("请输入 11 位手机号码，例如 13812345678。"), code="invalid_mobile"
)


class User(AbstractUser):
    """A person who signs in: a worker (by mobile number) or staff (by username + second factor)."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(
        _("手机号"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[mobile_validator],
        help_text=_("家政服务员用手机号登录。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or super().get_full_name() or self.username

    def get_short_name(self):
        return self.name or self.username

    @property
    def requires_second_factor(self) -> bool:
        """Staff of every kind (editors, reviewers, regulators, agency staff) must use a second factor."""
        if not self.is_authenticated or not self.is_active:
            return False
        return self.is_staff or self.is_superuser or self.has_perm("wagtailadmin.access_admin")


class SMSCode(models.Model):
    """A one-time code sent by SMS (验证码), or read aloud by a voice call for a phone
    that does not get the SMS: to sign in, or to prove a new mobile number.

    Only a keyed hash of the code is stored. A code is single-use, expires
    after ``SMS_CODE_TTL_SECONDS`` and dies after ``SMS_CODE_MAX_ATTEMPTS``
    wrong guesses. The rows are also the rate limit's ledger: sends are
    counted per number and per client, and per channel (each has its own
    limits), from this table, so the limits hold with the cache down and
    across processes.
    """

    class Purpose(models.TextChoices):
        LOGIN = "login", _("登录")
        CHANGE_PHONE = "change_phone", _("更换手机号")

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        VOICE = "voice", _("语音电话")

    phone = models.CharField(_("手机号"), max_length=11)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(
        _("发送方式"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    code_hash = models.CharField(max_length=64, editable=False)
    # For a number change: the signed-in account that asked; the code proves the new number.
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    client_ip = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("输错次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="smscode_phone_created"),
            models.Index(fields=["client_ip", "created_at"], name="smscode_client_created"),
        ]

    def __str__(self):
        from lms.masking import mask_phone

        return f"{mask_phone(self.phone)} · {self.get_purpose_display()}"
