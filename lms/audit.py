"""The audit trail: every compliance write records who, when, what and why.

Entries go to Wagtail's audit log (``ModelLogEntry`` / ``PageLogEntry``), so
they appear in the admin's history and log views. Each app registers the
labels of its actions from its own ``wagtail_hooks.py`` with
``register_log_actions``; :func:`audit` refuses an action nobody registered,
so a typo cannot write an entry the admin cannot show.
"""

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry


class UnknownAuditAction(LookupError):
    pass


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
    kwargs = {"data": _plain(data or {})}
    if title is not None:
        kwargs["title"] = title
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return log(instance, action, user=user, **kwargs)


def audit_entries(instance):
    """Entries about `instance`, newest first."""
    return log_registry.get_logs_for_instance(instance).order_by("-timestamp", "-pk")
