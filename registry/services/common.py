"""Helpers shared by several service modules of the registry.

Who acted, the edge-cache purge and the door-colour check after a change, a
filing's history step, the health-check date rule, photo storage and the refusal
an agency reads when the person still works elsewhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import edge
from registry.models import Filing, FilingTransition, Worker
from registry.photos import process_photo


def signed_in_user(user):
    """The acting user when signed in, else None (what a row's "by" column stores)."""
    return user if getattr(user, "is_authenticated", False) else None


#: The hook the certificates app (which owns the door rule) registers to compare the
#: colour of changed workers with the one last announced, in the change's transaction.
DOOR_HOOK = "registry_workers_door_may_change"

#: Worker ids whose door check waits for the end of a :func:`door_checks_deferred` block.
_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "registry_door_deferred", default=None
)


def public_changed(worker_id: int | None) -> None:
    """After commit, the edge cache forgets every public page that shows this worker;
    now, in the change's transaction, the door colour is checked (``door.changed``).

    The apps above register which pages those are (lms/edge.py) and the door check
    (hook :data:`DOOR_HOOK`).
    """
    if worker_id:
        edge.purge_worker_after_commit(worker_id)
        door_may_change([worker_id])


def door_may_change(worker_ids) -> None:
    """Ask the door rule's owner to announce the colour changes of these workers (one
    set-based check), or, inside :func:`door_checks_deferred`, at the block's end."""
    ids = {pk for pk in worker_ids if pk}
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
        return
    from wagtail import hooks

    for check in hooks.get_hooks(DOOR_HOOK):
        check(sorted(ids))


@contextlib.contextmanager
def door_checks_deferred():
    """Check the door colours once, at the end, for a change made of several steps (a
    transfer: the old filing ends before the new one starts) or of many workers (a card
    batch): no colour of a half-done change is announced, and one query serves all."""
    if _deferred.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    door_may_change(pending)


def record_transition(filing: Filing, from_status: str, to_status: str, user, reason: str):
    """Add one step to a filing's history (the actor only when signed in)."""
    FilingTransition.objects.create(
        filing=filing,
        from_status=from_status,
        to_status=to_status,
        actor=signed_in_user(user),
        reason=reason,
    )


def check_health_dates(check: datetime.date | None, expiry: datetime.date | None) -> None:
    """Refuse a health-check expiry before the check, or a check dated in the future."""
    if check and expiry and expiry < check:
        raise ValidationError(
            {"health_check_expiry": _("体检有效期不能早于体检日期。")}, code="health_dates"
        )
    if check and check > timezone.localdate():
        raise ValidationError(
            {"health_check_date": _("体检日期不能晚于今天。")}, code="health_future"
        )


def store_photo(worker: Worker, data: bytes) -> None:
    """Store a worker's processed photo and thumbnail; the old files go after commit."""
    processed = process_photo(data)
    # Never the worker's name or ID in a public file name; URL-safe base64 is
    # mostly letters, so a name never looks like a phone or ID number.
    token = secrets.token_urlsafe(16)
    old = [f for f in (worker.photo, worker.photo_thumbnail) if f]
    worker.photo.save(f"{token}.jpg", ContentFile(processed.photo), save=False)
    worker.photo_thumbnail.save(f"{token}.jpg", ContentFile(processed.thumbnail), save=False)
    worker.save(update_fields=["photo", "photo_thumbnail"])
    public_changed(worker.pk)
    names = [f.name for f in old]
    storage = worker.photo.storage

    def _delete_old():
        for name in names:
            storage.delete(name)

    transaction.on_commit(_delete_old)


def transfer_refusal_message() -> str:
    """What an agency reads when the person it files is still employed elsewhere."""
    return _("该服务员目前在其他机构从业，需原机构办理离职或本人确认后才能转入。")
