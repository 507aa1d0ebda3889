"""Employment history (从业经历): a worker starts and ends working for an agency."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import Agency, Branch, Employment, ServiceCategory, Worker
from registry.services.changes import employment_changed
from registry.services.common import public_changed, transfer_refusal_message


@transaction.atomic
def employment_start(
    *,
    worker: Worker,
    agency: Agency,
    start_date: datetime.date,
    branch: Branch | None = None,
    service_category: ServiceCategory | None = None,
    acting_user=None,
    move_worker: bool = True,
) -> Employment:
    """Record that `agency` employs the worker from `start_date` (从业经历).

    A worker has at most one open employment: end the current one first.
    With `move_worker` the worker's filing agency follows (the new agency's
    staff then see the worker).
    """
    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": _("开始日期不能晚于今天。")}, code="future_start")
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    current = (
        Employment.objects.filter(worker=worker, end_date__isnull=True)
        .select_related("agency")
        .first()
    )
    if current is not None and current.agency_id != agency.pk:
        # Never name the other agency to this one (docs/decisions.md: transfers).
        raise ValidationError(transfer_refusal_message(), code="employment_open")
    if current is not None:
        raise ValidationError(
            _("该服务员已在本机构从业（自 %(start)s 起），请先结束当前从业经历。")
            % {"start": current.start_date.isoformat()},
            code="employment_open",
        )
    last = Employment.objects.filter(worker=worker).order_by("-end_date").first()
    if last is not None and last.end_date and start_date < last.end_date:
        raise ValidationError(
            {"start_date": _("开始日期不能早于上一段从业经历的结束日期。")}, code="overlap"
        )
    employment = Employment.objects.create(
        worker=worker,
        agency=agency,
        branch=branch,
        service_category=service_category,
        start_date=start_date,
    )
    if move_worker and (
        worker.agency_id != agency.pk or worker.branch_id != (branch.pk if branch else None)
    ):
        worker.agency, worker.branch = agency, branch
        worker.save(update_fields=["agency", "branch"])
    employment_changed(employment, ended=False)
    public_changed(worker.pk)
    audit(
        worker,
        "registry.employment_start",
        user=acting_user,
        data={"employment": employment.pk, "agency": agency.pk, "start": start_date},
    )
    return employment


@transaction.atomic
def employment_end(
    *, employment: Employment, end_date: datetime.date, acting_user=None
) -> Employment:
    """Close an open employment on `end_date`."""
    locked = Employment.objects.select_for_update().get(pk=employment.pk)
    if locked.end_date is not None:
        raise ValidationError(_("这段从业经历已经结束。"), code="employment_closed")
    if end_date < locked.start_date:
        raise ValidationError(
            {"end_date": _("结束日期不能早于开始日期。")}, code="end_before_start"
        )
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": _("结束日期不能晚于今天。")}, code="future_end")
    locked.end_date = end_date
    locked.save(update_fields=["end_date"])
    employment_changed(locked, ended=True)
    employment.end_date = end_date
    public_changed(locked.worker_id)
    audit(
        locked.worker,
        "registry.employment_end",
        user=acting_user,
        data={"employment": locked.pk, "end": end_date},
    )
    return employment
