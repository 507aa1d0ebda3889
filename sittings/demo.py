"""Demo data of the sittings app: one station, today's sitting with six booked workers, and
one printed ticket to try the kiosk with.

Runs after exams (uses ``ctx.data["demo_exam"]`` and ``["workers"]``) and lms
(``ctx.users["proctor"]``, the proctor login with the demo second factor). Idempotent:
the station is found by name, today's sitting by exam, station and start; the seats
booked before are kept. Each run prints fresh ticket codes (a reprint), so the one
shown below works once, today, from this machine (127.0.0.0/8 is a station network).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Sitting, Station
from .services import bookings_create, format_code, tickets_issue

STATION_NAME = "徐汇区漕河泾家政服务站"
SEATS_BOOKED = 6


def seed(ctx) -> None:
    exam = ctx.data.get("demo_exam")
    proctor = ctx.users.get("proctor")
    if exam is None or proctor is None:
        ctx.say("  没有演示考试或监考员，跳过考点考试。")
        return
    station, _created = Station.objects.get_or_create(
        name=STATION_NAME,
        defaults={
            "address": "上海市徐汇区宜山路 900 号 2 楼",
            "district": "xuhui",
            "seats": 24,
            # The demo runs on this machine: loopback and the usual private ranges.
            "allowed_networks": "127.0.0.0/8\n::1/128\n10.0.0.0/8\n192.168.0.0/16",
        },
    )
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0)))
    sitting, _created = Sitting.objects.get_or_create(
        exam=exam,
        station=station,
        starts_at=starts,
        defaults={
            "ends_at": starts + datetime.timedelta(hours=23, minutes=59),
            "proctor": proctor,
            "note": "演示考场：全天开放",
        },
    )
    workers = list(ctx.data.get("workers", {}).get("approved", []))
    wanted = [w for w in workers if not sitting.bookings.filter(worker=w).exists()]
    free = SEATS_BOOKED - sitting.bookings.count()
    if free > 0:
        bookings_create(sitting=sitting, workers=wanted[:free], user=proctor)
    issued = tickets_issue(sitting=sitting, user=proctor)
    ctx.say(
        f"  考点：{station.name}（{station.seats} 座）；今日考场预约 {sitting.bookings.count()} 人"
    )
    if issued:
        booking, code = issued[0]
        ctx.urls.append(
            (
                f"考点考试：在本机打开此页，输入准考证号 {format_code(code)}（座位 {booking.seat}，今日有效一次）",
                f"{settings.SITE_URL}/kiosk/",
            )
        )
    ctx.urls.append(
        ("监考员实时监考（登录 proctor）", f"{settings.SITE_URL}/admin/sittings/{sitting.pk}/live/")
    )
