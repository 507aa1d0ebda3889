"""Household trust: a household confirms a service visit, rates it, a regulator moderates."""

from __future__ import annotations

import datetime
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.crypto import encrypt, lookup_hash
from lms.masking import mask_phone
from lms.validators import normalize_mobile
from registry.models import (
    CreditRecord,
    District,
    ServiceCategory,
    ServiceVisit,
    VisitRating,
    Worker,
)
from registry.selectors.visits import visit_ratings_visible_to
from registry.services.common import public_changed
from registry.services.credit import credit_record_create


def rating_link_days() -> int:
    """Days a household's one-time rating link stays usable (REGISTRY_RATING_LINK_DAYS)."""
    from django.conf import settings

    return int(getattr(settings, "REGISTRY_RATING_LINK_DAYS", 30))


#: How far back a household may date a visit when confirming it.
VISIT_BACKDATE_DAYS = 7


def _clean_contact(contact: str) -> str:
    """The household's contact as digits: a mobile number however it is written
    (spaces, dashes, +86), else a landline of 7 to 12 digits."""
    try:
        return normalize_mobile(contact)
    except ValidationError:
        pass
    digits = re.sub(r"[\s\-()（）]", "", contact or "")
    if not (digits.isascii() and digits.isdigit()) or not 7 <= len(digits) <= 12:
        raise ValidationError(
            {"contact": _("联系方式请填写手机号或电话号码，例如 138 1234 5678 或 021-6234 5678。")}
        )
    return digits


@transaction.atomic
def visit_confirm(
    *,
    worker: Worker,
    service_date: datetime.date,
    district: str,
    service_category: ServiceCategory | None = None,
    contact: str = "",
    scanned_via: str = ServiceVisit.ScannedVia.PRINTED,
    warnings_seen: tuple[str, ...] = (),
) -> tuple[ServiceVisit, str]:
    """A household confirms that `worker` entered their home for a service.

    Returns the visit and the raw one-time rating token (only its keyed hash is
    stored: the caller shows the link once, to the household). The contact is
    optional and stored encrypted; only its masked form is ever shown.
    `warnings_seen`: the reasons the household was shown and confirmed past
    (a red or replaced code), kept in the audit entry for the regulator.
    """
    today = timezone.localdate()
    errors = {}
    if district not in District.values:
        errors["district"] = _("请选择服务所在区。")
    if service_date is None or service_date > today:
        errors["service_date"] = _("服务日期不能晚于今天。")
    elif service_date < today - datetime.timedelta(days=VISIT_BACKDATE_DAYS):
        errors["service_date"] = _("只能确认 %(days)s 天内的上门服务。") % {
            "days": VISIT_BACKDATE_DAYS
        }
    if scanned_via not in ServiceVisit.ScannedVia.values:
        errors["scanned_via"] = _("扫码方式不正确。")
    try:
        contact = _clean_contact(contact)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    raw_token = secrets.token_urlsafe(24)
    now = timezone.now()
    visit = ServiceVisit.objects.create(
        worker=worker,
        service_category=service_category,
        service_date=service_date,
        district=district,
        contact_encrypted=encrypt(contact) if contact else "",
        contact_masked=mask_phone(contact) if contact else "",
        confirmed_at=now,
        scanned_via=scanned_via,
        rating_token_hash=lookup_hash(f"rating:{raw_token}"),
        rating_link_expires_at=now + datetime.timedelta(days=rating_link_days()),
    )
    audit(
        visit,
        "registry.visit_confirm",
        data={
            "worker": worker.pk,
            "district": district,
            "via": scanned_via,
            "warnings_seen": [str(w) for w in warnings_seen],
        },
    )
    public_changed(worker.pk)
    _text_rating_link(contact, raw_token)
    return visit, raw_token


def _text_rating_link(contact: str, raw_token: str) -> None:
    """After commit, text a mobile contact the visit's rating link (from which the
    household may also complain); a landline gets nothing. Robust: a failed SMS
    never undoes the confirmation."""
    from django.conf import settings
    from django.urls import reverse

    from lms.notifications import send_sms

    try:
        mobile = normalize_mobile(contact)
    except ValidationError:
        return
    if not mobile:
        return
    url = f"{settings.SITE_URL}{reverse('registry:visit_rate', args=[raw_token])}"
    message = _(
        "【上海家政】您已确认服务员上门。服务结束后请用此链接评价，如有问题也可在此投诉（请勿转发）：%(url)s"
    ) % {"url": url}
    transaction.on_commit(
        lambda: send_sms(
            mobile, message, template="visit_rating_link", params={"token": raw_token}
        ),
        robust=True,
    )


class RatingRefused(ValidationError):
    """A rating the one-time link does not (or no longer) allow."""


@transaction.atomic
def rating_submit(*, token: str, stars: int, comment: str = "") -> VisitRating:
    """Rate a visit through its one-time link: one rating per visit, before the link expires.

    A rating without a comment needs no moderation; a comment waits for a
    regulator before it shows anywhere public.
    """
    visit = (
        ServiceVisit.objects.select_for_update()
        .filter(rating_token_hash=lookup_hash(f"rating:{token or ''}"))
        .first()
    )
    if visit is None:
        raise RatingRefused(_("评价链接无效。"), code="unknown")
    if VisitRating.objects.filter(visit=visit).exists():
        raise RatingRefused(_("这次上门服务已经评价过了，每次服务只能评价一次。"), code="used")
    if visit.rating_link_expires_at < timezone.now():
        raise RatingRefused(_("评价链接已过期。"), code="expired")
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("请选择 1 到 5 星。")}, code="stars")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价内容请不要超过 500 字。")}, code="comment")
    rating = VisitRating.objects.create(
        visit=visit,
        stars=stars,
        comment=comment,
        status=VisitRating.Status.PENDING if comment else VisitRating.Status.APPROVED,
    )
    audit(
        rating,
        "registry.rating_submit",
        data={"visit": visit.pk, "stars": stars, "has_comment": bool(comment)},
    )
    public_changed(visit.worker_id)
    return rating


def _require_moderator(user, rating: VisitRating) -> None:
    if user is None or not user.has_perm("registry.moderate_visitrating"):
        raise PermissionDenied(_("只有监管人员可以审核评价。"))
    if not visit_ratings_visible_to(user).filter(pk=rating.pk).exists():
        raise PermissionDenied(_("这条评价不在你的监管范围内。"))


@transaction.atomic
def rating_moderate(
    *, rating: VisitRating, approve: bool, acting_user, note: str = ""
) -> VisitRating:
    """A regulator approves (comment shows publicly) or rejects (hidden, not counted) a rating."""
    _require_moderator(acting_user, rating)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不通过时请填写原因。")}, code="note_required")
    locked = VisitRating.objects.select_for_update().get(pk=rating.pk)
    previous = locked.status
    locked.status = VisitRating.Status.APPROVED if approve else VisitRating.Status.REJECTED
    locked.moderated_by = acting_user
    locked.moderated_at = timezone.now()
    locked.moderation_note = note[:255]
    locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_note"])
    audit(
        locked,
        "registry.rating_moderate",
        user=acting_user,
        data={"from": previous, "to": locked.status, "note": note},
    )
    public_changed(locked.visit.worker_id)
    return locked


@transaction.atomic
def rating_escalate_to_credit_record(
    *, rating: VisitRating, acting_user, description: str = "", kind: str = ""
) -> CreditRecord:
    """A regulator turns a rating (a complaint) into a credit record about the worker.

    Escalating the same rating twice is refused; the credit record names the
    visit (never the household) as its source.
    """
    _require_moderator(acting_user, rating)
    locked = (
        VisitRating.objects.select_for_update()
        .select_related("visit", "visit__worker")
        .get(pk=rating.pk)
    )
    if locked.credit_record_id is not None:
        raise ValidationError(_("这条评价已经转为信用记录。"), code="already_escalated")
    kind = kind or CreditRecord.Kind.COMPLAINT
    if kind not in (CreditRecord.Kind.COMPLAINT, CreditRecord.Kind.VIOLATION):
        raise ValidationError({"kind": _("只能转为投诉或违规记录。")}, code="kind")
    visit = locked.visit
    description = (
        (description or "").strip()
        or locked.comment
        or _("雇主评价 %(stars)s 星") % {"stars": locked.stars}
    )
    record = credit_record_create(
        kind=kind,
        source=_("上门服务评价（%(date)s）") % {"date": visit.service_date.isoformat()},
        occurred_on=visit.service_date,
        description=description,
        acting_user=acting_user,
        worker=visit.worker,
    )
    locked.credit_record = record
    fields = ["credit_record"]
    if locked.status == VisitRating.Status.PENDING:
        locked.status = VisitRating.Status.APPROVED
        locked.moderated_by = acting_user
        locked.moderated_at = timezone.now()
        fields += ["status", "moderated_by", "moderated_at"]
    locked.save(update_fields=fields)
    audit(
        locked,
        "registry.rating_escalate",
        user=acting_user,
        data={"credit_record": record.pk, "kind": kind},
    )
    return record
