"""A household files a complaint: checked in full first, then numbered and saved in one
transaction, so bad input changes nothing and no tracking number is ever skipped."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.crypto import encrypt, lookup_hash
from lms.masking import mask_phone
from lms.validators import normalize_mobile
from registry.models import ServiceVisit
from registry.photos import ProcessedPhoto, process_photo

from ..models import Complaint, ComplaintEvent, ComplaintPhoto, ComplaintSequence
from ..selectors.subjects import ComplaintSubject
from ..workdays import city_working_days
from .messages import notify_received

MAX_PHOTOS = 3
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000


def deadline_working_days() -> int:
    """Working days a complaint has to be closed in (COMPLAINTS_DEADLINE_WORKING_DAYS)."""
    return int(getattr(settings, "COMPLAINTS_DEADLINE_WORKING_DAYS", 15))


def agency_answer_working_days() -> int:
    """Working days the agency has to answer (COMPLAINTS_AGENCY_ANSWER_WORKING_DAYS)."""
    return int(getattr(settings, "COMPLAINTS_AGENCY_ANSWER_WORKING_DAYS", 3))


def per_phone_daily_limit() -> int:
    """Complaints one phone number may file in 24 hours (COMPLAINTS_PER_PHONE_PER_DAY)."""
    return int(getattr(settings, "COMPLAINTS_PER_PHONE_PER_DAY", 3))


def phone_hash(phone: str) -> str:
    return lookup_hash(f"complaint-phone:{phone}")


def format_number(year: int, value: int) -> str:
    """TS-2026-000123: the year of receipt and a six-digit sequence, gap-free per year."""
    return f"TS-{year}-{value:06d}"


def next_number(year: int) -> str:
    """Count the year's sequence up by one under a row lock (call inside a transaction).

    The count is part of the complaint's transaction: a complaint that fails to
    save rolls its number back, so numbers have no gaps.
    """
    ComplaintSequence.objects.bulk_create(
        [ComplaintSequence(year=year, last_value=0)], ignore_conflicts=True
    )
    sequence = ComplaintSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return format_number(year, sequence.last_value)


def _check(
    *, subject: ComplaintSubject, category: str, description: str, phone: str, photos: list
) -> tuple[str, str, list[ProcessedPhoto]]:
    """Every check that needs no lock; the cleaned description, phone and photos."""
    errors: dict[str, list] = {}
    if category not in Complaint.Category.values:
        errors["category"] = [_("请选择投诉类别。")]
    description = (description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = [_("请把经过写清楚，至少 %(n)s 个字。") % {"n": DESCRIPTION_MIN}]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("投诉内容请不要超过 %(n)s 字。") % {"n": DESCRIPTION_MAX}]
    try:
        phone = normalize_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    else:
        if not phone:
            errors["phone"] = [_("请填写手机号码，办理进展会以短信告诉您。")]
    processed = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}]
    else:
        for index, data in enumerate(photos, start=1):
            try:
                processed.append(process_photo(data))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(
                    _("第 %(i)s 张照片：%(reason)s") % {"i": index, "reason": m}
                    for m in exc.messages
                )
    if subject.worker is None and subject.agency is None:
        errors.setdefault("__all__", []).append(_("请说明投诉哪位服务员或哪家企业。"))
    if not subject.district:
        errors.setdefault("__all__", []).append(
            _("找不到负责办理的区，请拨打 12345 市民服务热线投诉。")
        )
    if errors:
        raise ValidationError(errors, code="invalid")
    return description, phone, processed


@transaction.atomic
def complaint_file(
    *,
    subject: ComplaintSubject,
    category: str,
    description: str,
    phone: str,
    photos: list[bytes] = (),
) -> Complaint:
    """File a household's complaint about `subject` and text the household its number.

    Refused (ValidationError, nothing saved, no number used) for bad input, a
    phone over its daily limit, or a visit that already has an open complaint.
    The deadline and the agency's answer date count in the city's working days.
    """
    photos = list(photos)
    description, phone, processed = _check(
        subject=subject, category=category, description=description, phone=phone, photos=photos
    )
    now = timezone.now()
    digest = phone_hash(phone)
    recent = Complaint.objects.filter(
        phone_hash=digest, received_at__gte=now - datetime.timedelta(hours=24)
    ).count()
    if recent >= per_phone_daily_limit():
        raise ValidationError(
            {"phone": _("这个手机号今天提交的投诉已达上限，请明天再试，或拨打 12345。")},
            code="phone_limit",
        )
    if subject.visit is not None:
        # One open complaint per visit: the visit row serialises two households' tabs.
        ServiceVisit.objects.select_for_update().filter(pk=subject.visit.pk).first()
        if (
            Complaint.objects.filter(visit=subject.visit)
            .exclude(status=Complaint.Status.CLOSED)
            .exists()
        ):
            raise ValidationError(
                _("这次上门服务已有一件投诉正在办理，请用收到的投诉编号查询进度。"),
                code="open_for_visit",
            )
    today = timezone.localdate(now)
    calendar = city_working_days()
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                number=next_number(today.year),
                origin=subject.origin,
                visit=subject.visit,
                worker=subject.worker,
                agency=subject.agency,
                district=subject.district,
                category=category,
                description=description,
                phone_encrypted=encrypt(phone),
                phone_hash=digest,
                phone_masked=mask_phone(phone),
                received_at=now,
                due_on=calendar.after(today, deadline_working_days()),
                agency_answer_due_on=calendar.after(today, agency_answer_working_days()),
            )
    except IntegrityError as exc:  # the visit got its open complaint in a race
        raise ValidationError(
            _("这次上门服务已有一件投诉正在办理，请用收到的投诉编号查询进度。"),
            code="open_for_visit",
        ) from exc
    ComplaintPhoto.objects.bulk_create(
        ComplaintPhoto(
            complaint=complaint,
            image=p.photo,
            thumbnail=p.thumbnail,
            width=p.width,
            height=p.height,
        )
        for p in processed
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.RECEIVED,
        reason=_("投诉已受理，将于 %(due)s 前办结。") % {"due": complaint.due_on.isoformat()},
        at=now,
    )
    audit(
        complaint,
        "complaints.file",
        data={
            "number": complaint.number,
            "origin": subject.origin,
            "visit": subject.visit.pk if subject.visit else None,
            "worker": subject.worker.pk if subject.worker else None,
            "agency": subject.agency.pk if subject.agency else None,
            "category": category,
            "photos": len(processed),
        },
    )
    notify_received(complaint)
    return complaint
