"""Views of workers' information, reported to whoever keeps the workers' view log.

The consent app keeps the log (#26) but sits above registry and certificates, so
they report through the Wagtail hook ``registry_workers_viewed``; this is the one
place that fires it.
"""

from wagtail import hooks

HOOK = "registry_workers_viewed"


def workers_viewed(*, request, workers, kind: str) -> None:
    """Report that `workers` (objects or ids) were shown to `request`'s viewer as `kind`."""
    if not workers:
        return
    for record_views in hooks.get_hooks(HOOK):
        record_views(request=request, workers=workers, kind=kind)
