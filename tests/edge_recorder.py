"""A frontend-cache backend that records the URLs it is asked to purge (for unit tests)."""

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

PURGED: list[str] = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        PURGED.append(url)


def recording(settings):
    """Point Wagtail's frontend cache at the recorder, emptied; returns the list it fills."""
    settings.WAGTAILFRONTENDCACHE = {
        "recorder": {"BACKEND": "tests.edge_recorder.RecordingBackend"}
    }
    PURGED.clear()
    return PURGED


def paths(purged) -> set[str]:
    """The paths (with query) of purged URLs, whatever host they were purged for."""
    from urllib.parse import urlsplit

    found = set()
    for url in purged:
        parts = urlsplit(url)
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found
