"""Demo complaints (runs after the registry and certificates, before the dashboards), idempotent.

Five complaints in the demo district through the real services: one just received
(with a photo), one under investigation that the agency answered, one upheld against
an agency (a credit record; no worker's door colour changes, so the links printed
by the certificates demo still show what they say), one not upheld, and one past its
deadline, which the dashboards' rules then raise as an early warning.
"""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.utils import timezone

from PIL import Image, ImageDraw

from registry.models import ServiceVisit
from registry.selectors.filings import worker_is_registered
from registry.services.visits import visit_confirm

from .models import Complaint
from .selectors.subjects import subject_from_credit_code, subject_from_visit_token
from .services.filing import complaint_file, phone_hash
from .services.handling import (
    complaint_agency_answer,
    complaint_close,
    complaint_start_investigation,
)

#: The demo household's mobile; its last four digits open the tracking page.
DEMO_PHONE = "13900005678"


def _photo() -> bytes:
    image = Image.new("RGB", (900, 600), (235, 228, 215))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 200, 600, 450), outline=(120, 80, 40), width=12)
    draw.line((300, 200, 600, 450), fill=(160, 40, 40), width=10)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _phone(n: int) -> str:
    """The demo households' mobiles: the first is DEMO_PHONE, printed with its tracking link."""
    return DEMO_PHONE if n == 0 else f"1390000{n:04d}"


def _visit_subject(worker, today, n: int):
    _visit, token = visit_confirm(
        worker=worker, service_date=today, district=worker.agency.district, contact=_phone(n)
    )
    return subject_from_visit_token(token)


def _file(n: int, subject, category: str, description: str, photos=()) -> Complaint:
    return complaint_file(
        subject=subject,
        category=category,
        description=description,
        phone=_phone(n),
        photos=photos,
    )


def _create(ctx, today) -> None:
    main = ctx.data["demo_agency"]
    regulator = ctx.users["district_regulator"]
    staff = ctx.users["agency_staff"]
    workers = [
        w
        for w in ctx.data["workers"]
        if w.agency_id == main.pk and worker_is_registered(w) and w != ctx.data.get("demo_worker")
    ][:4]
    other = next(
        (a for a in ctx.data["agencies"] if a.pk != main.pk and a.district == main.district),
        main,
    )
    received = _file(
        0,
        _visit_subject(workers[0], today, 0),
        Complaint.Category.DAMAGE,
        "打扫时碰倒了客厅的落地灯，灯罩破损，服务员离开时没有说明。",
        photos=[_photo()],
    )
    answered = _file(
        1,
        _visit_subject(workers[1], today, 1),
        Complaint.Category.QUALITY,
        "约定上午九点上门，十一点才到，厨房油污没有清理。",
    )
    complaint_agency_answer(
        complaint=answered,
        acting_user=staff,
        answer="已核实排班失误，已向雇主致歉并退还半天服务费。",
    )
    complaint_start_investigation(
        complaint=answered, acting_user=regulator, reason="已调取上门记录，正在向企业核实。"
    )
    upheld = _file(
        2,
        subject_from_credit_code(other.credit_code),
        Complaint.Category.PRICE,
        "签约时说明全包，上门后又加收材料费二百元，没有收据。",
    )
    complaint_start_investigation(complaint=upheld, acting_user=regulator, reason="正在核实收费。")
    complaint_close(
        complaint=upheld,
        acting_user=regulator,
        outcome=Complaint.Outcome.UPHELD,
        reason="经核实，企业未按合同约定收费，已责令退还多收费用并记入企业信用记录。",
        internal_note="企业负责人已约谈。",
        responsible=Complaint.Responsible.AGENCY,
    )
    not_upheld = _file(
        3,
        _visit_subject(workers[2], today, 3),
        Complaint.Category.CONDUCT,
        "服务员说话声音太大，让老人不舒服，希望企业提醒。",
    )
    complaint_start_investigation(complaint=not_upheld, acting_user=regulator, reason="正在核实。")
    complaint_close(
        complaint=not_upheld,
        acting_user=regulator,
        outcome=Complaint.Outcome.NOT_UPHELD,
        reason="经回访，服务员已按规范服务，未发现不当言行；已提醒企业加强沟通。",
    )
    overdue = _file(
        4,
        _visit_subject(workers[3], today, 4),
        Complaint.Category.SAFETY,
        "服务员使用燃气灶后没有关阀门，家里人回来才发现。",
    )
    complaint_start_investigation(complaint=overdue, acting_user=regulator, reason="正在调查。")
    # A complaint received five weeks ago and still open: past its 15 working days.
    weeks_ago = timezone.now() - datetime.timedelta(days=35)
    Complaint.objects.filter(pk=overdue.pk).update(
        received_at=weeks_ago,
        due_on=today - datetime.timedelta(days=10),
        agency_answer_due_on=today - datetime.timedelta(days=30),
    )
    ServiceVisit.objects.filter(pk=overdue.visit_id).update(
        confirmed_at=weeks_ago, service_date=timezone.localdate(weeks_ago)
    )
    ctx.data["demo_complaint_number"] = received.number


def seed(ctx) -> None:
    today = timezone.localdate()
    demo = Complaint.objects.filter(phone_hash=phone_hash(DEMO_PHONE))
    if not demo.exists():
        _create(ctx, today)
    ctx.say(f"complaints: {Complaint.objects.count()} 件投诉")
    open_one = demo.filter(status=Complaint.Status.RECEIVED).order_by("pk").first()
    base = settings.SITE_URL
    ctx.urls.append(("我要投诉（按家政卡号或信用代码）", f"{base}/complaints/new/"))
    if open_one is not None:
        ctx.urls.append(
            (
                f"投诉进度查询（已受理，手机后四位 {DEMO_PHONE[-4:]}）",
                f"{base}/complaints/track/?number={open_one.number}",
            )
        )
    ctx.urls.append(("投诉办理（district / city 登录）", f"{base}/admin/complaints/"))
    ctx.urls.append(("被投诉（agency 登录）", f"{base}/admin/complaints/agency/"))
