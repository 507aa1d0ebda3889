"""Credit records (信用记录) about a worker or an agency: adding one, ending one early."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.outbox import EventType
from lms.tasks import send_task_by_name
from registry.models import Agency, CreditRecord, Worker
from registry.services.changes import credit_events
from registry.services.common import public_changed, signed_in_user

#: Blacklisting a worker asks the certificates app to revoke their certificates.
REVOKE_FOR_BLACKLIST_TASK = "certificates.tasks.certificates_revoke_for_blacklisted_worker"


@transaction.atomic
def credit_record_create(
    *,
    kind: str,
    source: str,
    occurred_on: datetime.date,
    description: str,
    acting_user,
    worker: Worker | None = None,
    agency: Agency | None = None,
    is_public: bool = True,
    expires_on: datetime.date | None = None,
) -> CreditRecord:
    """Add a credit record about a worker or an agency.

    Blacklisting a worker asks the certificates app, after commit, to revoke
    the worker's certificates (by task name; the task is idempotent).
    """
    if (worker is None) == (agency is None):
        raise ValidationError(_("信用记录必须且只能针对一名服务员或一家企业。"), code="subject")
    if kind not in CreditRecord.Kind.values:
        raise ValidationError({"kind": _("请选择记录类型。")}, code="kind")
    source = (source or "").strip()
    description = (description or "").strip()
    if not source:
        raise ValidationError({"source": _("请填写记录来源。")}, code="source")
    if not description:
        raise ValidationError({"description": _("请填写说明。")}, code="description")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("发生日期不能晚于今天。")}, code="future")
    if expires_on is not None and expires_on <= occurred_on:
        raise ValidationError({"expires_on": _("失效日期必须晚于发生日期。")}, code="expiry")
    record = CreditRecord.objects.create(
        worker=worker,
        agency=agency,
        kind=kind,
        source=source[:120],
        occurred_on=occurred_on,
        description=description,
        is_public=is_public,
        expires_on=expires_on,
        created_by=signed_in_user(acting_user),
    )
    audit(
        record,
        "registry.credit_record_create",
        user=acting_user,
        data={
            "kind": kind,
            "worker": worker.pk if worker else None,
            "agency": agency.pk if agency else None,
            "public": is_public,
            "expires_on": expires_on,
        },
    )
    credit_events(EventType.CREDIT_ADDED, [record])
    public_changed(worker.pk if worker else None)
    if worker is not None and kind == CreditRecord.Kind.BLACKLIST:
        send_task_by_name(REVOKE_FOR_BLACKLIST_TASK, worker.pk)
    return record


@transaction.atomic
def credit_record_expire(
    *, record: CreditRecord, acting_user, reason: str, on: datetime.date | None = None
) -> CreditRecord:
    """End a record early: it stops counting from `on` (today by default)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")}, code="reason_required")
    on = on or timezone.localdate()
    locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if locked.expires_on is not None and locked.expires_on <= on:
        raise ValidationError(_("这条记录已经失效。"), code="already_expired")
    if on < locked.occurred_on:
        on = locked.occurred_on  # a record cannot expire before it happened
    previous = locked.expires_on
    locked.expires_on = on
    locked.save(update_fields=["expires_on"])
    record.expires_on = on
    if on <= timezone.localdate():
        # A later end is announced by the daily sweep when it comes (credit_expire_sweep).
        credit_events(EventType.CREDIT_EXPIRED, [locked])
    public_changed(locked.worker_id)
    audit(
        locked,
        "registry.credit_record_expire",
        user=acting_user,
        data={"from": previous, "to": on, "reason": reason},
    )
    return record
