"""The audit trail: every compliance write records who, when, what and why.

Entries go to Wagtail's audit log (``ModelLogEntry`` / ``PageLogEntry``), so
they appear in the admin's history and log views. Each app registers the
labels of its actions from its own ``wagtail_hooks.py`` with
``register_log_actions``; :func:`audit` refuses an action nobody registered,
so a typo cannot write an entry the admin cannot show.

An entry names the signed-in user who acted. When a system that is no user acts
(a partner system's write, issue #24), the code acting for it wraps the write in
:func:`acting_system`, and every entry written inside carries ``data["actor"]``
naming that system (entries written elsewhere are unchanged).
"""

import contextlib
import contextvars
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry


class UnknownAuditAction(LookupError):
    pass


_actor: contextvars.ContextVar[dict | None] = contextvars.ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting_system(*, kind: str, pk: int, name: str, **extra):
    """Name a non-user actor (``{"kind": "partner", "id": 3, "name": "…"}``) in every audit
    entry written inside the block, as ``data["actor"]``."""
    token = _actor.set({"kind": kind, "id": pk, "name": name, **extra})
    try:
        yield
    finally:
        _actor.reset(token)


def _with_actor(data: dict | None) -> dict:
    data = dict(data or {})
    actor = _actor.get()
    if actor is not None and "actor" not in data:
        data["actor"] = actor
    return data


def _plain(value: Any) -> Any:
    """JSON-safe copy of `value` (dates and decimals as strings)."""
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit(instance, action: str, *, user=None, data: dict | None = None, title: str | None = None):
    """Write one audit entry about `instance`, made by `user` (None for the system)."""
    if not log_registry.action_exists(action):
        raise UnknownAuditAction(
            f"Audit action {action!r} is not registered (register_log_actions)."
        )
    kwargs = {"data": _plain(_with_actor(data))}
    if title is not None:
        kwargs["title"] = title
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return log(instance, action, user=user, **kwargs)


def audit_entries(instance):
    """Entries about `instance`, newest first."""
    return log_registry.get_logs_for_instance(instance).order_by("-timestamp", "-pk")


def audit_many(entries, *, user=None) -> list:
    """Write many audit entries in one INSERT, for services that write rows in bulk.

    `entries` is an iterable of ``(instance, action, data)`` about saved
    model instances (``ModelLogEntry``, not pages). The same checks and fields
    as :func:`audit`, one entry per item; the entries share one timestamp.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from wagtail.log_actions import get_active_log_context
    from wagtail.models import ModelLogEntry

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    context = get_active_log_context()
    user = user or context.user
    now = timezone.now()
    rows = []
    for instance, action, data in entries:
        if not log_registry.action_exists(action):
            raise UnknownAuditAction(
                f"Audit action {action!r} is not registered (register_log_actions)."
            )
        model = log_registry.get_log_model_for_instance(instance)
        if model is None:
            continue  # nobody logs this type (as audit() does)
        if not issubclass(model, ModelLogEntry):
            raise TypeError(f"audit_many() writes model log entries, not {model.__name__}.")
        if instance.pk is None:
            raise ValueError(f"Cannot audit {instance!r} before it is saved.")
        rows.append(
            model(
                content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
                object_id=str(instance.pk),
                label=str(instance) or f"{instance.__class__.__name__} object ({instance.pk})",
                action=action,
                timestamp=now,
                data=_plain(_with_actor(data)),
                user=user,
                uuid=context.uuid,
            )
        )
    by_model: dict = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    return [row for model, group in by_model.items() for row in model.objects.bulk_create(group)]
