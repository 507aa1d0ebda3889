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
