"""Project-wide models: only what no app owns."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a named background process proved it was alive.

    Kept in the database, not in Redis, so that ``/health/`` can still say
    how old the worker's last sign of life is while Redis is down.
    """

    name = models.CharField(_("名称"), max_length=100, primary_key=True)
    beat_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
