"""Household complaints (投诉): the complaint, its photos, its history, its numbering,
and the city's working-day calendar that its deadlines count in."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from registry.models import Agency, CreditRecord, District, ServiceVisit, Worker


class Complaint(models.Model):
    """A household's complaint about a visit, a worker (by card number) or an agency.

    The contact phone is stored encrypted; only its masked form is shown. The
    worker and agency named are fixed at filing from the visit or the lookup
    the complaint came from, never typed by the household.
    """

    class Category(models.TextChoices):
        QUALITY = "quality", _("服务质量")
        DAMAGE = "damage", _("财物损坏或丢失")
        SAFETY = "safety", _("人身安全")
        PRICE = "price", _("收费价格")
        CONDUCT = "conduct", _("言行举止")
        OTHER = "other", _("其他")

    class Origin(models.TextChoices):
        VISIT = "visit", _("上门服务")
        WORKER = "worker", _("按家政卡号")
        AGENCY = "agency", _("按统一社会信用代码")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("调查中")
        CLOSED = "closed", _("已办结")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("投诉成立")
        PARTLY_UPHELD = "partly_upheld", _("投诉部分成立")
        NOT_UPHELD = "not_upheld", _("投诉不成立")
        WITHDRAWN = "withdrawn", _("投诉人撤回")

    class Responsible(models.TextChoices):
        WORKER = "worker", _("服务员")
        AGENCY = "agency", _("企业")
        BOTH = "both", _("服务员和企业")

    number = models.CharField(_("投诉编号"), max_length=20, unique=True)
    origin = models.CharField(_("投诉来源"), max_length=10, choices=Origin.choices)
    visit = models.ForeignKey(
        ServiceVisit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_complaints",
        verbose_name=_("上门服务"),
    )
    worker = models.ForeignKey(
        Worker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_complaints",
        verbose_name=_("家政服务员"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_complaints",
        verbose_name=_("家政企业"),
    )
    district = models.CharField(_("受理区"), max_length=20, choices=District.choices)
    category = models.CharField(_("投诉类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("投诉内容"))
    phone_encrypted = models.TextField(editable=False)
    phone_hash = models.CharField(max_length=64, editable=False, db_index=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True)
    #: The reply the household reads; internal notes live on the events only.
    outcome_reason = models.TextField(_("答复内容"), blank=True)
    responsible = models.CharField(
        _("责任方"), max_length=10, choices=Responsible.choices, blank=True
    )
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    due_on = models.DateField(_("办结期限"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    agency_answer_due_on = models.DateField(_("企业答复期限"))
    agency_answer = models.TextField(_("企业答复"), blank=True)
    agency_answered_at = models.DateTimeField(_("企业答复时间"), null=True, blank=True)
    agency_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    credit_records = models.ManyToManyField(
        CreditRecord, blank=True, related_name="household_complaints", verbose_name=_("信用记录")
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"],
                condition=~Q(status="closed"),
                name="complaint_one_open_per_visit",
            ),
            models.CheckConstraint(
                condition=Q(worker__isnull=False) | Q(agency__isnull=False),
                name="complaint_names_a_subject",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status="closed") & Q(outcome="")),
                name="complaint_outcome_iff_closed",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class ComplaintPhoto(models.Model):
    """A photo attached to a complaint, re-encoded without metadata (registry.photos).

    Kept in the database, not in media storage: it is personal evidence, shown
    only to the regulators handling the complaint, and it is saved or refused
    with the complaint in one transaction.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.BinaryField(editable=False)
    thumbnail = models.BinaryField(editable=False)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("投诉照片")
        verbose_name_plural = _("投诉照片")

    def __str__(self):
        return f"{self.complaint_id} #{self.pk}"


class ComplaintEvent(models.Model):
    """One step of a complaint's handling: a status change or the agency's answer.

    `reason` is what the household is told; `internal_note` is for staff only.
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", _("受理")
        INVESTIGATING = "investigating", _("开始调查")
        AGENCY_ANSWER = "agency_answer", _("企业答复")
        CLOSED = "closed", _("办结")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("说明"))
    internal_note = models.TextField(_("内部备注"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("投诉办理记录")
        verbose_name_plural = _("投诉办理记录")

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"


class ComplaintSequence(models.Model):
    """The last tracking number given out per year; locked row by row for gap-free numbering."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_value}"


def _parse_days(text: str, label) -> list:
    """Dates written one a line (or separated by commas), as ``2026-10-01`` or a range
    ``2026-10-01~2026-10-07``; raises a Chinese ValidationError naming the bad entry."""
    import datetime
    import re

    days = []
    for entry in re.split(r"[\s,，、;；]+", text or ""):
        if not entry:
            continue
        parts = re.split(r"~|～|至|\.\.", entry)
        try:
            bounds = [datetime.date.fromisoformat(p) for p in parts]
        except ValueError:
            bounds = []
        if (
            len(bounds) not in (1, 2)
            or bounds[-1] < bounds[0]
            or (bounds[-1] - bounds[0]).days > 60
        ):
            raise ValidationError(
                _("%(label)s中的“%(entry)s”不是日期，请写成 2026-10-01 或 2026-10-01~2026-10-07。")
                % {"label": label, "entry": entry}
            )
        day = bounds[0]
        while day <= bounds[-1]:
            days.append(day)
            day += datetime.timedelta(days=1)
    return days


@register_setting(icon="date")
class CityCalendar(BaseGenericSetting):
    """The city's public holidays and the weekend days worked in their place (调休),
    as the State Council announces them each year; every working-day deadline counts in it."""

    holidays = models.TextField(
        _("法定节假日"),
        blank=True,
        help_text=_("每行一个日期或日期段，例如 2026-10-01~2026-10-07。这些日子不计入工作日。"),
    )
    extra_working_days = models.TextField(
        _("调休上班日"),
        blank=True,
        help_text=_("因调休需要上班的周末，每行一个日期，例如 2026-09-27。"),
    )

    panels = [FieldPanel("holidays"), FieldPanel("extra_working_days")]

    class Meta:
        verbose_name = _("节假日安排")

    def clean(self):
        super().clean()
        errors = {}
        for name in ("holidays", "extra_working_days"):
            try:
                _parse_days(getattr(self, name), self._meta.get_field(name).verbose_name)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)

    def holiday_dates(self) -> frozenset:
        return frozenset(_parse_days(self.holidays, ""))

    def extra_working_dates(self) -> frozenset:
        return frozenset(_parse_days(self.extra_working_days, ""))
