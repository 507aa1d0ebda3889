"""Household-service cards (家政卡): the number sequence, batches, the ledger of issued cards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.agencies import Agency
from registry.models.workers import Worker


class CardSequence(models.Model):
    """The counter behind card numbers (家政卡号): one row per prefix, only ever counts up.

    Card issue locks the row with ``select_for_update``, so two reviewers
    issuing at once never get the same number, and a number once handed out
    is never handed out again (see ``IssuedCard``).
    """

    prefix = models.CharField(max_length=8, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("卡号序列")
        verbose_name_plural = _("卡号序列")

    def __str__(self):
        return f"{self.prefix}:{self.last_value}"


class CardBatch(models.Model):
    """Cards handed out together to one agency (集体领卡)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="card_batches", verbose_name=_("领卡机构")
    )
    collected_by = models.CharField(_("领卡人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("发卡时间"), auto_now_add=True)
    card_count = models.PositiveIntegerField(_("张数"), default=0)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("集体领卡")
        verbose_name_plural = _("集体领卡")

    def __str__(self):
        return f"{self.agency} · {self.card_count}"


class IssuedCard(models.Model):
    """Ledger of every card number ever issued; survives the worker's deletion.

    The unique ``number`` here is what makes "never reused" a database rule
    and not only a property of the sequence.
    """

    number = models.CharField(_("家政卡号"), max_length=20, unique=True)
    worker = models.OneToOneField(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="issued_card"
    )
    batch = models.ForeignKey(
        CardBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="cards"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("发卡时间"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("发卡记录")
        verbose_name_plural = _("发卡记录")

    def __str__(self):
        return self.number
