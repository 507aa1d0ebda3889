"""Stations, sittings, seats (bookings with their exam tickets) and incidents.

A seat is one worker booked into one sitting; its exam ticket is a one-time
code kept only as a keyed hash (``ticket_hash``): a reprint issues a new code
and the old one stops working. The attempt a ticket started is the exams
app's ordinary ``Attempt``; pause and end state live on it.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import District


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The CIDR ranges of a station, one per line (or comma-separated); ValueError on a bad one."""
    entries = [e.strip() for e in (text or "").replace(",", "\n").splitlines()]
    return [ipaddress.ip_network(entry, strict=False) for entry in entries if entry]


def validate_networks(text: str) -> None:
    for entry in [e.strip() for e in (text or "").replace(",", "\n").splitlines()]:
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationError(
                _("“%(entry)s”不是有效的网段，请写成 10.20.0.0/24 这样的格式。"),
                params={"entry": entry},
                code="invalid_network",
            ) from None


class Station(models.Model):
    """A service station or point (服务站/服务点) where supervised sittings take place."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    address = models.CharField(_("地址"), max_length=200)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices)
    seats = models.PositiveIntegerField(_("座位数"))
    allowed_networks = models.TextField(
        _("允许的网段"),
        validators=[validate_networks],
        help_text=_(
            "考点电脑的出口网段（CIDR），每行一个，例如 10.20.0.0/24。准考证只能在这些网段内使用。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("考点")
        verbose_name_plural = _("考点")
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="station_seats")]

    def __str__(self):
        return self.name

    def allows(self, address: str) -> bool:
        """Whether `address` is inside one of the station's allowed networks."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in parse_networks(self.allowed_networks))


class Sitting(models.Model):
    """An exam at a station at a time, with a proctor and a seat list."""

    exam = models.ForeignKey(
        "exams.Exam", on_delete=models.PROTECT, related_name="sittings", verbose_name=_("考试")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="sittings", verbose_name=_("考点")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), help_text=_("准考证只在开始与结束时间之间有效。"))
    proctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proctored_sittings",
        verbose_name=_("监考员"),
        limit_choices_to={"groups__name": "Proctors", "is_active": True},
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("考场")
        verbose_name_plural = _("考场")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="sitting_order")
        ]
        indexes = [models.Index(fields=["station", "starts_at"])]

    def __str__(self):
        return f"{self.exam} · {self.station} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """One seat of a sitting: who sits there, their ticket and the attempt it started."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="bookings")
    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.PROTECT,
        related_name="sitting_bookings",
        verbose_name=_("家政服务员"),
    )
    seat = models.PositiveIntegerField(_("座位号"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    ticket_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    ticket_issued_at = models.DateTimeField(_("准考证打印时间"), null=True, blank=True)
    ticket_used_at = models.DateTimeField(_("准考证使用时间"), null=True, blank=True)
    ticket_used_from = models.GenericIPAddressField(null=True, blank=True)
    attempt = models.OneToOneField(
        "exams.Attempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sitting_booking",
    )

    class Meta:
        ordering = ["sitting", "seat"]
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "worker"], name="booking_worker_once"),
            models.UniqueConstraint(fields=["sitting", "seat"], name="booking_seat_once"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="booking_seat_positive"),
        ]

    def __str__(self):
        return f"{self.sitting_id} · {self.seat}"


class Incident(models.Model):
    """Something the proctor did or recorded during a sitting (for the regulator's report)."""

    class Kind(models.TextChoices):
        EXTEND = "extend", _("延长时间")
        PAUSE = "pause", _("暂停")
        RESUME = "resume", _("恢复")
        END = "end", _("终止考试")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="incidents")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    minutes = models.PositiveIntegerField(_("分钟"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("考场记录")
        verbose_name_plural = _("考场记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.booking}"
