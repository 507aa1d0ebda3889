"""Who acts for whom: agency staff memberships and regulators' scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency, Branch
from registry.models.choices import District


class AgencyStaff(models.Model):
    """A staff login's membership of one agency (optionally limited to one branch)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_staff"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    branch = models.ForeignKey(
        Branch, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("限定门店")
    )

    class Meta:
        verbose_name = _("企业员工")
        verbose_name_plural = _("企业员工")

    def __str__(self):
        return f"{self.user} @ {self.agency}"


class RegulatorProfile(models.Model):
    """A regulator's scope: a district, or the whole city when ``district`` is empty."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regulator"
    )
    district = models.CharField(_("辖区"), max_length=20, choices=District.choices, blank=True)

    class Meta:
        verbose_name = _("监管人员")
        verbose_name_plural = _("监管人员")

    def __str__(self):
        return f"{self.user} ({self.district or 'city'})"

    @property
    def is_city(self) -> bool:
        return not self.district
