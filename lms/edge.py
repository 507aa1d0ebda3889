"""HTTP caching at the edge: which answers a shared cache may keep, and purging them.

The speed of the public side comes from a shared HTTP cache in front of the
app (Varnish, deploy/varnish/default.vcl, or a CDN), not from the app: an
answer that every anonymous visitor sees alike is sent with
``Cache-Control: public, max-age=…, s-maxage=…`` and kept there; when what it
shows changes, the app purges its URL through Wagtail's frontend cache
(``WAGTAILFRONTENDCACHE``, from ``FRONTEND_CACHE_URLS``), after commit.

A view opts in by marking its response (:func:`mark_public`, or the
:func:`public` decorator, with the kind of answer: a portal page or a verify
answer); :class:`EdgeCacheMiddleware` then decides, once
the response is complete, whether it really is the same for everyone: an
anonymous GET or HEAD, a 200 (or a redirect or 404 of a public page), no
cookie set on the way out (a CSRF token, a session, a language choice). Any
other marked response becomes ``private, no-store``. Unmarked responses keep
what their view set; one without any ``Cache-Control`` is made ``private``
so that no shared cache guesses.

Purging is per URL path; :func:`purge_paths_after_commit` sends each path to
every configured cache, for every site the platform answers on, once the
transaction that changed the data has committed (a purge before the commit
could be refilled with the old answer).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

#: Kinds of public answer, each with its own freshness at the edge.
PORTAL = "portal"
VERIFY = "verify"

#: What a public answer varies on besides its URL: the language (cookie or header).
VARY = ("Accept-Language", "Cookie")

PUBLIC_STATUSES = frozenset({200, 301, 302, 404, 410})


def max_ages(kind: str) -> tuple[int, int]:
    """(max-age for browsers, s-maxage for the shared cache) of a kind of public answer."""
    if kind == VERIFY:
        # Browsers revalidate each time; the edge keeps it briefly and is purged on change.
        return 0, min(int(getattr(settings, "VERIFY_S_MAXAGE", 60)), 60)
    return int(getattr(settings, "CACHE_MAX_AGE", 60)), int(
        getattr(settings, "CACHE_S_MAXAGE", 600)
    )


#: How a view offers its answer to shared caches; the middleware removes it. A header,
#: not an attribute, so that a framework that builds the final response itself from a
#: response the view was given (django-ninja) passes it on.
MARK_HEADER = "X-Edge-Cache-Kind"


def mark_public(response, kind: str = PORTAL):
    """Offer `response` to shared caches (the middleware still checks it is everyone's)."""
    response[MARK_HEADER] = kind
    return response


def public(kind: str = PORTAL):
    """Decorator: the view's responses are offered to shared caches (see :func:`mark_public`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            return mark_public(view(request, *args, **kwargs), kind)

        return wrapped

    return decorator


def is_everyones(request, response) -> bool:
    """Whether `response` is the answer every anonymous visitor gets for this URL."""
    if request.method not in ("GET", "HEAD") or response.status_code not in PUBLIC_STATUSES:
        return False
    if response.cookies or getattr(request, "is_preview", False):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def make_public(response, kind: str) -> None:
    max_age, s_maxage = max_ages(kind)
    if "Cache-Control" in response:
        del response["Cache-Control"]
    if s_maxage <= 0:
        patch_cache_control(response, private=True, no_cache=True)
        return
    patch_cache_control(response, public=True, max_age=max_age, s_maxage=s_maxage)
    patch_vary_headers(response, VARY)


def make_private(response) -> None:
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)


class EdgeCacheMiddleware:
    """Sets the final ``Cache-Control`` of every answer (see the module's docstring).

    Placed before the session, CSRF and locale middleware, so that it sees the
    cookies they set on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        kind = response.get(MARK_HEADER)
        if kind is not None:
            del response[MARK_HEADER]
            if is_everyones(request, response):
                make_public(response, kind)
            else:
                make_private(response)
        elif "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        return response


# --- purging ----------------------------------------------------------------------


def site_roots() -> list[str]:
    """Root URLs (scheme, host, port) of every site the platform serves."""
    from wagtail.models import Site

    return sorted({site.root_url for site in Site.objects.all()})


def configured() -> bool:
    """Whether any edge cache is configured (``FRONTEND_CACHE_URLS``); none in the demo."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_batch_after_commit(batch) -> None:
    """Send a Wagtail ``PurgeBatch`` once the current transaction commits (at once outside one).

    After commit, so that a request arriving between the purge and the commit
    cannot put the old answer back; synchronously, so that the next request
    after the change (a revocation) already misses.
    """
    transaction.on_commit(batch.purge)


#: Functions (worker ids -> URL paths) registered by the apps whose public pages show a
#: worker (certificates: the verify pages); a lower app announces the change.
_worker_path_sources: list = []


def worker_paths_register(source) -> None:
    """Register `source(worker_ids) -> paths`, asked after commit when a worker changes."""
    if source not in _worker_path_sources:
        _worker_path_sources.append(source)


def purge_worker_after_commit(worker_id: int) -> None:
    """Once the current transaction commits, purge every public URL that shows this worker."""
    if not configured() or not worker_id:
        return

    def purge():
        paths = [path for source in _worker_path_sources for path in source([worker_id])]
        purge_paths_now(paths)

    transaction.on_commit(purge)


def purge_paths_now(paths) -> None:
    """Purge `paths` on every site at once (call only after the change has committed)."""
    paths = sorted(set(paths))
    if not paths or not configured():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    for root in site_roots():
        batch.add_urls([root + path for path in paths])
    batch.purge()


def purge_paths_after_commit(paths) -> None:
    """Purge `paths` (``/v/abc/``, ``/api/v1/verify/abc``…) on every site, after commit."""
    paths = sorted(set(paths))
    if paths and configured():
        transaction.on_commit(functools.partial(purge_paths_now, paths))
