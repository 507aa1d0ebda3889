"""Roster import (花名册): an agency files many workers from one spreadsheet."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import Agency, Branch, RosterImport, ServiceCategory
from registry.roster import RosterFileError, read_roster, validate_row
from registry.services.common import signed_in_user
from registry.services.insurance import insurance_add
from registry.services.transfers import TransferNeedsConsent, transfer_request_record
from registry.services.workers import worker_create

#: Rosters up to this many rows are filed during the upload request; larger
#: ones in a Celery task while the page shows progress.
ROSTER_SYNC_MAX_ROWS = 200


ROSTER_CHUNK = 50


def _roster_sync_max() -> int:
    from django.conf import settings

    return getattr(settings, "REGISTRY_ROSTER_SYNC_MAX_ROWS", ROSTER_SYNC_MAX_ROWS)


def roster_import_create(
    *, agency: Agency, upload, acting_user, branch: Branch | None = None
) -> RosterImport:
    """Store an uploaded roster and file its valid rows (now, or in a task when large).

    Raises ValidationError when the file as a whole cannot be read.
    """
    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    data = upload.read()
    try:
        rows = read_roster(data, upload.name)
    except RosterFileError as exc:
        raise ValidationError({"file": str(exc)}, code="roster_file") from exc
    with transaction.atomic():
        roster = RosterImport(
            agency=agency,
            branch=branch,
            uploaded_by=signed_in_user(acting_user),
            original_name=upload.name[:255],
            total_rows=len(rows),
        )
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        roster.file.save(f"{secrets.token_urlsafe(12)}{suffix}", ContentFile(data), save=False)
        roster.save()
        audit(
            roster,
            "registry.roster_import",
            user=acting_user,
            data={"agency": agency.pk, "rows": len(rows), "file": roster.original_name},
        )
    if len(rows) <= _roster_sync_max():
        roster_import_process(roster_import_id=roster.pk)
        roster.refresh_from_db()
    else:
        from registry.tasks import roster_import_task

        transaction.on_commit(lambda: roster_import_task.delay(roster.pk))
    return roster


def roster_import_process(*, roster_import_id: int) -> None:
    """File the valid rows of a roster; idempotent and resumable.

    Rows are handled in chunks; each chunk's workers and the progress counter
    commit together, so a crashed run resumes after the last finished chunk.
    Each valid row is filed atomically on its own (a savepoint): a row is
    either fully filed or reported, never half saved.
    """
    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().get(pk=roster_import_id)
        if roster.is_finished:
            return
        roster.status = RosterImport.Status.RUNNING
        roster.save(update_fields=["status"])
    acting_user = roster.uploaded_by
    try:
        with roster.file.open("rb") as handle:
            rows = read_roster(handle.read(), roster.original_name)
    except (RosterFileError, OSError) as exc:
        RosterImport.objects.filter(pk=roster.pk).update(
            status=RosterImport.Status.FAILED, failure=str(exc), finished_at=timezone.now()
        )
        return
    branches = {b.name: b for b in Branch.objects.filter(agency=roster.agency)}
    if roster.branch_id:
        # Staff limited to one branch may only file into that branch.
        branches = {name: b for name, b in branches.items() if b.pk == roster.branch_id}
    categories = {}
    for category in ServiceCategory.objects.all():
        categories[category.name] = category
        categories[category.code] = category
    today = timezone.localdate()
    seen: dict[str, int] = {}
    # Rows before the checkpoint were handled by an earlier run: only their
    # hashes are needed (for duplicates within the file).
    start = roster.processed_rows
    for number, cells in rows[:start]:
        validate_row(
            number, cells, branches=branches, categories=categories, seen=seen, today=today
        )
    errors = list(roster.errors)
    created = roster.created_count
    for offset in range(start, len(rows), ROSTER_CHUNK):
        chunk = rows[offset : offset + ROSTER_CHUNK]
        with transaction.atomic():
            for number, cells in chunk:
                result = validate_row(
                    number,
                    cells,
                    branches=branches,
                    categories=categories,
                    default_branch=roster.branch,
                    seen=seen,
                    today=today,
                )
                if result.ok:
                    data = dict(result.data)
                    insurance = data.pop("insurance", None)
                    try:
                        # The worker and their insurance are filed together or not at all.
                        with transaction.atomic():
                            worker = worker_create(
                                agency=roster.agency,
                                acting_user=acting_user,
                                **data,
                            )
                            if insurance:
                                insurance_add(worker=worker, acting_user=acting_user, **insurance)
                        created += 1
                        continue
                    except ValidationError as exc:
                        if isinstance(exc, TransferNeedsConsent):
                            # The row's savepoint dropped the request worker_create kept.
                            transfer_request_record(refusal=exc)
                        for key, messages in exc.message_dict.items():
                            label = {
                                "id_number": "身份证号",
                                "name": "姓名",
                                "phone": "手机号",
                                "insurer": "保险公司",
                                "policy_number": "保单号",
                                "start_date": "保险生效日期",
                                "end_date": "保险到期日期",
                            }.get(key, key)
                            result.errors.extend((label, m) for m in messages)
                errors.extend(
                    {"row": result.row, "column": column, "message": message}
                    for column, message in result.errors
                )
            RosterImport.objects.filter(pk=roster.pk).update(
                processed_rows=offset + len(chunk),
                created_count=created,
                error_count=len({e["row"] for e in errors}),
                errors=errors,
                updated_at=timezone.now(),
            )
    RosterImport.objects.filter(pk=roster.pk).update(
        status=RosterImport.Status.DONE,
        processed_rows=len(rows),
        total_rows=len(rows),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
