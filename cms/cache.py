"""Whole-page cache for anonymous visitors of the portal (Django's cache; Redis in production).

Design, in short:

* Only anonymous requests are served from, or stored in, the cache: any
  request that carries a session cookie or a messages cookie (a signed-in
  user, a visitor who passed a page password, a pending flash message) goes
  straight to the page. So a signed-in user is never shown a cached page, and
  nobody is shown a page rendered for someone else.
* Only page types that opt in (``cache_anonymous = True``, see
  ``cms.models.PortalPage``) are stored, and only a plain 200 answer that set
  no cookie and rendered no CSRF token. Lookup pages, forms and anything
  personal are never stored.
* Entries are keyed by host (the site), path with query string, and
  language. Every entry carries the cache *generation* current when its
  rendering began; publishing, unpublishing, moving or deleting any page, or
  saving the site settings, starts a new generation, so every older entry is
  ignored from then on. A whole-site purge is right here: a new item changes
  the home page, the news index, the menu in every header and the feeds.
  A rendering that overlaps a purge stores the old generation, so it can
  never resurrect stale content.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "cms:page-cache:generation"
KEY_PREFIX = "cms:page:"
#: The response header that says whether the page came from the cache.
HEADER = "X-Page-Cache"
# Headers of the page's own response worth keeping; middleware adds the rest on every request.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link", "Last-Modified")


def timeout() -> int:
    """Seconds an entry lives (``CMS_PAGE_CACHE_SECONDS``; 0 turns the cache off)."""
    return int(getattr(settings, "CMS_PAGE_CACHE_SECONDS", 600))


def new_generation() -> str:
    """Start a new generation: every entry stored so far is stale (the purge)."""
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A random value, not a counter: if Redis evicts this key, a restarted
        # count could otherwise match entries written before an earlier purge.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def request_is_cacheable(request) -> bool:
    """Whether this request may be answered from (and stored in) the cache."""
    if timeout() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def cache_key(request) -> str:
    """Site (host), path, query string and language, hashed to a fixed-length key."""
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    raw = f"{request.get_host()}\n{request.path}\n{query}\n{language}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def lookup(request, key: str) -> tuple[HttpResponse | None, str]:
    """The cached response for `key` if still current, and the current generation (one round trip)."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    entry = found.get(key)
    if generation is None:
        return None, current_generation()
    if entry is None or entry["generation"] != generation:
        return None, generation
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response[HEADER] = "hit"
    return response, generation


def response_is_cacheable(request, response) -> bool:
    """Store only a page that opted in, answered 200 plainly, set no cookie and showed no CSRF token."""
    if not getattr(request, "cms_cache_page", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def store(key: str, response, generation: str) -> None:
    headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
    entry = {
        "generation": generation,
        "status": response.status_code,
        "content": response.content,
        "headers": headers,
    }
    cache.set(key, entry, timeout())


def purge_all(**kwargs) -> None:
    """Signal receiver: any change to the public page tree makes every cached page stale."""
    new_generation()


def purge_on_settings_change(*, created: bool = False, **kwargs) -> None:
    """Signal receiver for the site settings, which Wagtail creates empty on first read."""
    if not created:
        new_generation()
