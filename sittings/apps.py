from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SittingsConfig(AppConfig):
    name = "sittings"
    verbose_name = _("考点考试")
