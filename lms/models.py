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


class ChangeEvent(models.Model):
    """One change to what partners sync (the transactional outbox, 变更事件).

    Written by the service that makes the change, in the same transaction
    (``lms.outbox.change_record``), so an event exists if and only if its change
    committed. Read in ``(txid, id)`` order by the change feed and the webhook
    deliveries (``lms.outbox``); ``txid`` is the writing transaction's id on
    PostgreSQL and 0 on SQLite, whose writers are serialised.
    """

    txid = models.BigIntegerField(_("事务号"), editable=False)
    at = models.DateTimeField(_("时间"))
    type = models.CharField(_("类型"), max_length=40)
    #: The worker the change is about (most are), for the feed's scoping; not a key.
    worker_id = models.BigIntegerField(null=True, blank=True)
    #: The agency the subject belonged to when it changed (an agency system sees its own).
    agency_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(_("内容"), default=dict)

    class Meta:
        verbose_name = _("变更事件")
        verbose_name_plural = _("变更事件")
        indexes = [
            models.Index(fields=["txid", "id"], name="lms_change_cursor"),
            models.Index(fields=["at"], name="lms_change_at"),
        ]

    def __str__(self):
        return f"{self.type} #{self.pk}"
