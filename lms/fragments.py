"""Parts of public pages that every anonymous visitor sees alike, rendered once and shared.

The portal (cms) serves pages and keeps a cache *generation* on the request
(``request.cms_generation``); publishing anything starts a new one. A
fragment is kept under the host, its name, the language, that generation and
any values it varies on, so it is rendered again after every publish. A
fragment is stored only from an anonymous rendering that used no CSRF token,
and only pages served by the portal take part: a preview, or any other view,
renders everything every time.

Two uses: the ``{% portal_fragment %}`` tag (cms) around parts of a page,
and :func:`render_around`, for a page whose only changing part is known
before the page is rendered (a lookup's answer inside the lookup page).
"""

from __future__ import annotations

import functools
import hashlib
import threading

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from . import nearcache

FRAGMENT_PREFIX = "cms:fragment:"


def fragment_timeout() -> int:
    """Seconds a route or fragment lives (``CMS_FRAGMENT_CACHE_SECONDS``; 0 turns them off).

    Independent of the page cache: with whole pages off, routes and fragments
    still spare each rendering the tree walk and the shared parts.
    """
    return int(getattr(settings, "CMS_FRAGMENT_CACHE_SECONDS", 600))


def request_is_cacheable(request) -> bool:
    """Whether this request may be answered from (and stored in) the cache: an anonymous GET."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def fragment_key(request, name: str, *vary_on) -> str | None:
    """The key of a shared fragment, or None when this rendering must not use one.

    Only renderings served by ``cms.views.serve`` (which knows the current
    generation) qualify, and not those with query parameters their page does
    not read; a preview or any other view renders everything.
    """
    generation = getattr(request, "cms_generation", None)
    if generation is None or getattr(request, "is_preview", False) or fragment_timeout() <= 0:
        return None
    if not getattr(request, "cms_query_known", True):
        # Made-up query parameters: nothing rendered for them is kept (see cms/wagtail_hooks).
        return None
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    parts = [request.get_host(), name, language, generation, *(str(v) for v in vary_on)]
    return FRAGMENT_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def rendered(request, key: str | None, render) -> str:
    """The fragment under `key`, or ``render()``'s result, kept when it may be shared.

    Each process also keeps the fragments it used last: a key names its
    generation, so a copy can never outlive a publish, and it spares a hot
    page's fragments their cache round trips.
    """
    if key is None:
        return render()
    value = _copies.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is not None:
        _copies.put(key, value)
    else:
        token_asked_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        value = render()
        # A fragment is shared by every visitor, so it is stored only from an
        # anonymous rendering (nothing personal in it) that used no CSRF token
        # (get_token() marks the request; the form field is checked as well).
        token_asked = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False) != token_asked_before
        if request_is_cacheable(request) and not token_asked and "csrfmiddlewaretoken" not in value:
            cache.set(key, value, fragment_timeout())
            _copies.put(key, value)
    return value


class _Copies:
    """This process's fragments: 256 at most, 8 MB in all, kept no longer than fragments live."""

    def __init__(self, entries: int = 256, max_bytes: int = 8 * 2**20):
        # Their age limit is the fragments' own, read at each use (a setting).
        self._copies = nearcache.Copies(entries, max_bytes, max_age=0)
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            self._copies.max_age = fragment_timeout()
            return self._copies.get(key)

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._copies.put(key, value, len(value))

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()


_copies = _Copies()


def render_around(request, template_name: str, context: dict, slots: dict[str, str]) -> str:
    """`template_name` rendered with `slots` (name: HTML) in its context, the rest shared.

    For an anonymous visitor on a portal page, the template is rendered once
    per fragment generation with a marker in place of each slot and kept;
    each rendering then only puts the slots' HTML in. Everyone else gets a
    plain rendering. Whatever else the template shows must be the same for
    every anonymous visitor of the page in that language.
    """
    key = None
    if request_is_cacheable(request):
        page = getattr(context.get("page"), "pk", "")
        key = fragment_key(request, f"around:{template_name}", page, *sorted(slots))
    if key is None:
        return get_template(template_name).render({**context, **slots}, request)
    markers = {name: f"<!--{name}:{_marker()}-->" for name in slots}
    shell = rendered(
        request,
        key,
        lambda: get_template(template_name).render(
            {**context, **{name: mark_safe(m) for name, m in markers.items()}}, request
        ),
    )
    for name, marker in markers.items():
        shell = shell.replace(marker, slots[name])
    return shell


@functools.cache
def _marker() -> str:
    """Tells a slot apart from anything a page shows: known only to the servers."""
    return hashlib.sha256(f"fragment-slot\n{settings.SECRET_KEY}".encode()).hexdigest()[:24]
