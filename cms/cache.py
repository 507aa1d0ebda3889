"""Whole-page cache for anonymous visitors of the portal (Django's cache; Redis in production).

Design, in short:

* Only anonymous requests are served from, or stored in, the cache: any
  request that carries a session cookie or a messages cookie (a signed-in
  user, a visitor who passed a page password, a pending flash message) goes
  straight to the page. So a signed-in user is never shown a cached page, and
  nobody is shown a page rendered for someone else.
* Only page types that opt in (``cache_anonymous = True``, see
  ``cms.models.PortalPage``) are stored, and only a plain 200 answer that set
  no cookie and rendered no CSRF token. Lookup answers, forms that post and
  anything personal are never stored (a lookup page's empty form is, like
  any page).
* Entries are keyed by host (the site), path with query string, and
  language. Every entry carries the cache *generation* current when its
  rendering began; publishing, unpublishing, moving or deleting any page, or
  saving the site settings, starts a new generation, so every older entry is
  ignored from then on. A whole-site purge is right here: a new item changes
  the home page, the news index, the menu in every header and the feeds.
  A rendering that overlaps a purge stores the old generation, so it can
  never resurrect stale content.

Three more things live under the same generation:

* **Shared answers** of lookup pages (a household's card-number lookup): the
  page's view marks its response with ``response.shared_answer`` (see
  :func:`store_answer`), and the answer is then served before Wagtail routes
  the path, like a cached page, but only after the page's own rate-limit
  *guard* has counted the request (so a client over budget gets its 429 even
  for a cached answer), and only while the cache keys it *depends* on still
  hold the values read before the lookup ran (the registry's per-card
  generation). Answers keep their ``Cache-Control: no-store, private``:
  they are shared in this server-side cache only, never by a proxy. An
  answer is kept from its *second* asking in a process (see
  :func:`answer_asked_before`): most card lookups are asked once, and
  keeping each would cost a read and a write for nothing.
* **Routes**: the page that a host + path resolves to (with the site and the
  page's view restrictions), for page types that opt in with
  ``cache_route = True``; Wagtail's own serving then runs unchanged from the
  routed page, without its one-query-per-tree-level walk.
* **Fragments**: parts of a rendered page that are the same for every
  visitor (the article, the footer, see ``cms_tags.portal_fragment``), so a
  page rendered for a signed-in user, or with the page cache off, reuses them.

On Redis, each process also keeps copies of its most used pages (a *near
cache*, lms/nearcache.py) that Redis invalidates the moment the generation
key is written, so a hot page costs no round trip at all. Shared answers
are never copied: their rate limit and dependencies are checked each time.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.module_loading import import_string

# Fragments live in lms (lower apps' pages share them too); the portal keeps their generation.
from lms.fragments import fragment_timeout

GENERATION_KEY = "cms:page-cache:generation"
KEY_PREFIX = "cms:page:"
# v2: the models stored as they are (v1 kept them pickled as bytes); v1 entries are never read.
ROUTE_PREFIX = "cms:route:v2:"
#: The response header that says whether the page came from the cache.
HEADER = "X-Page-Cache"
# Headers of the page's own response worth keeping; middleware adds the rest on every request.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link", "Last-Modified")
# A shared answer also keeps its Cache-Control (no-store, private): proxies must not keep it.
_ANSWER_HEADERS = (*_KEPT_HEADERS, "Cache-Control")


def near_cache():
    """This process's copies of hot pages, or None (no Redis, read replicas, or turned off).

    ``CMS_PAGE_NEAR_CACHE_ENTRIES`` pages (0 turns it off) and
    ``CMS_PAGE_NEAR_CACHE_MB`` at most, each kept ``CMS_PAGE_NEAR_CACHE_SECONDS``
    at most, however current.
    """
    make = getattr(cache, "near_cache", None)
    entries = int(getattr(settings, "CMS_PAGE_NEAR_CACHE_ENTRIES", 200))
    if make is None or entries <= 0:
        return None
    seconds = float(getattr(settings, "CMS_PAGE_NEAR_CACHE_SECONDS", 60))
    megabytes = float(getattr(settings, "CMS_PAGE_NEAR_CACHE_MB", 16))
    return make(
        GENERATION_KEY, max_entries=entries, max_age=seconds, max_bytes=int(megabytes * 2**20)
    )


def timeout() -> int:
    """Seconds an entry lives (``CMS_PAGE_CACHE_SECONDS``; 0 turns the cache off)."""
    return int(getattr(settings, "CMS_PAGE_CACHE_SECONDS", 600))


def new_generation() -> str:
    """Start a new generation: every entry stored so far is stale (the purge)."""
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    near = near_cache()
    if near is not None:
        # Redis tells every process; this one need not wait for the message.
        near.clear()
    return generation


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A random value, not a counter: if Redis evicts this key, a restarted
        # count could otherwise match entries written before an earlier purge.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


#: Parameters that links shared on WeChat, Weibo or in campaigns carry and no page reads.
TRACKING_PARAMS = frozenset({"from", "isappinstalled", "scene", "spm", "fbclid", "gclid"})


def drop_tracking_params(request) -> None:
    """Serve the request as if it came without tracking parameters (``utm_*``, WeChat's ``from``…).

    Done once, where a portal request comes in, so the cache key, the rendered
    links (pagination, language switch) and everything cached from them are
    those of the clean address: a visit from a shared link gets the cached
    page, and no visitor is handed someone else's tracking parameters.
    """
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return
    pairs = [p for p in query.split("&") if p]
    kept = [p for p in pairs if not _is_tracking(p.split("=", 1)[0])]
    if len(kept) != len(pairs):
        request.META["QUERY_STRING"] = "&".join(kept)
        request.GET = QueryDict(request.META["QUERY_STRING"])


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith("utm_")


def cache_key(request) -> str:
    """Site (host), path, query string and language, hashed to a fixed-length key."""
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    raw = f"{request.get_host()}\n{request.path}\n{query}\n{language}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def route_key(request, path: str) -> str:
    """Host and port (Wagtail finds the site by both), path and language."""
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    raw = f"{request.get_host()}\n{request.get_port()}\n{path}\n{language}"
    return ROUTE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def lookup(request, key: str | None, route: str | None = None) -> tuple[HttpResponse | None, str]:
    """The cached response for `key` if still current, and the current generation.

    One round trip fetches the generation with the entry (or, for a request
    that cannot be a hit, with the cached route, if `route` is given; it is
    kept on the request for :func:`use_route`). A miss fetches the route in a
    second round trip, unless the key's view was not stored last time: a
    hit, the common case, never carries the route's page. On Redis a page
    (not an answer) this process served lately comes from its near cache,
    with no round trip at all. An entry
    that is a shared answer is served only once its dependencies still hold
    and its guard has counted the request; the guard raises ``Ratelimited``
    (a 429) when the client is over budget.
    """
    # With the page cache off there are no pages to copy, and no watcher thread is started.
    near = near_cache() if key and timeout() > 0 else None
    token = None
    if near is not None:
        entry = near.get(key)
        if entry is not None:
            request.cms_generation = entry["generation"]
            response = _response(request, key, entry, entry["generation"], {})
            if response is not None:
                return response, entry["generation"]
        token = near.begin()
    # The route is fetched with the entry when a hit is unlikely: no entry key (a
    # signed-in visitor) or a key whose view was not stored last time.
    route_first = bool(route) and (
        key is None
        or key in _UNSTORED_KEYS
        # A first asking on a page that shares answers: a hit only if another process kept it.
        or (route in _ANSWER_ROUTES and key not in _ASKED)
    )
    keys = [
        GENERATION_KEY,
        *([key] if key else []),
        *([route] if route_first else []),
        *_DEPENDENCY_KEYS.get(key, ()),
    ]
    found = cache.get_many(keys)
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = current_generation()
        found = {}
    request.cms_generation = generation
    response = _response(request, key, found.get(key), generation, found)
    if response is not None and token is not None and not found[key].get("answer"):
        near.put(token, key, found[key], size=len(found[key]["content"]))
    if response is None and route:
        entry = found.get(route) if route_first else cache.get(route)
        request.cms_route = entry if entry and entry["generation"] == generation else None
    return response, generation


def _response(request, key, entry, generation: str, found: dict) -> HttpResponse | None:
    if entry is None or entry["generation"] != generation:
        return None
    if entry.get("answer"):
        if not _answer_still_holds(request, key, entry["answer"], found):
            return None
    elif timeout() <= 0:
        return None
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response[HEADER] = "hit"
    return response


#: Answer key -> the keys its answer depends on, as last seen by this process. Only
#: names, never values: they let the next lookup fetch the current values in its
#: first round trip. Losing or clearing this costs one more round trip, nothing else.
_DEPENDENCY_KEYS: dict[str, tuple[str, ...]] = {}
#: How many names each of this process's notes below holds before it starts again.
_NOTES_MAX = 10_000


#: Keys whose view was not stored when last rendered here (a page type that is
#: never cached, a view with made-up parameters): their next lookup fetches the
#: route in its first round trip instead of a second. Only names; bounded.
_UNSTORED_KEYS: set[str] = set()


#: Keys asked once in this process: an answer is kept from its second asking.
#: Only names; bounded. Losing them only delays keeping an answer by one asking.
_ASKED: set[str] = set()
#: Route keys whose page kept an answer here: where a first asking fetches the route
#: in its first round trip (it is seldom a hit).
_ANSWER_ROUTES: set[str] = set()


def answer_asked_before(key: str | None) -> bool:
    """Whether this process saw `key` asked before (and note that it has now).

    For a page type that shares answers (``shares_answers = True``), the
    portal's ``before_serve_page`` hook puts the verdict on the request
    (``cms_share_answer``); other pages' keys are never noted. The page
    shares its answer only then, and reads what the answer
    depends on only then. A household checking the worker at its door asks
    once; the same card asked again (a family, a refresh, a card shown to
    several households) is kept from its second asking on.
    """
    if key is None:
        return False
    if key in _ASKED:
        return True
    _remember(_ASKED, key)
    return False


def forget_askings() -> None:
    """Forget which keys and routes were asked here (tests start each from nothing)."""
    _ASKED.clear()
    _ANSWER_ROUTES.clear()
    _UNSTORED_KEYS.clear()
    _DEPENDENCY_KEYS.clear()


def remember_stored(key: str, stored: bool) -> None:
    """Note whether the view for `key` went into the cache (see :func:`lookup`)."""
    if stored:
        _UNSTORED_KEYS.discard(key)
        return
    _remember(_UNSTORED_KEYS, key)


def _remember_dependency_keys(key: str, depends: dict) -> None:
    _remember(_DEPENDENCY_KEYS, key, tuple(depends))


def _remember(names: set | dict, key: str, value=None) -> None:
    """Add `key` to one of this process's notes of names, emptied when full."""
    if len(names) >= _NOTES_MAX:
        names.clear()
    if isinstance(names, dict):
        names[key] = value
    else:
        names.add(key)


def _answer_still_holds(request, key: str, answer: dict, found: dict) -> bool:
    depends = answer.get("depends") or {}
    if depends:
        if _DEPENDENCY_KEYS.get(key) == tuple(depends):
            current = found  # fetched with the entry
        else:
            current = cache.get_many(list(depends))
            _remember_dependency_keys(key, depends)
        if any(current.get(k) != v for k, v in depends.items()):
            return False
    try:
        guard = _guard(answer["guard"])
    except (ImportError, ValueError):
        # No guard to count with (renamed since it was stored): the page view counts instead.
        return False
    guard(request)
    return True


def _guard(path: str):
    guard = import_string(path)
    if not getattr(guard, "shared_answer_guard", False):
        raise ValueError(f"{path} is not a shared-answer guard")
    return guard


def _plain(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def response_is_cacheable(request, response) -> bool:
    """Store only a page that opted in, answered 200 plainly, set no cookie and showed no CSRF token."""
    if timeout() <= 0 or not getattr(request, "cms_cache_page", False):
        return False
    if not _plain(request, response):
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


def store_answer(request, key: str, response, generation: str, route: str | None = None) -> bool:
    """Store a lookup page's answer if its view shared it; True when stored.

    The view sets ``response.shared_answer = {"seconds": …, "guard": …,
    "depends": {…}}``: how long the answer may be shared, the dotted path of
    the rate-limit function to call before serving it (it must carry
    ``shared_answer_guard = True``), and cache keys with the values the view
    read *before* querying, so a change committed during the lookup still
    makes the answer stale. The answer must be a plain 200 (no cookie, no
    CSRF token), like a page.
    """
    answer = getattr(response, "shared_answer", None)
    if not answer or int(answer.get("seconds") or 0) <= 0 or not _plain(request, response):
        return False
    _guard(answer["guard"])  # fail loudly at store time, not on the next hit
    headers = {name: response[name] for name in _ANSWER_HEADERS if response.has_header(name)}
    entry = {
        "generation": generation,
        "status": response.status_code,
        "content": response.content,
        "headers": headers,
        "answer": {"guard": answer["guard"], "depends": dict(answer.get("depends") or {})},
    }
    cache.set(key, entry, int(answer["seconds"]))
    _remember_dependency_keys(key, entry["answer"]["depends"])
    if route and route not in _ANSWER_ROUTES:
        _remember(_ANSWER_ROUTES, route)
    return True


# --- routes ------------------------------------------------------------------


def use_route(request) -> bool:
    """Give Wagtail the route found by :func:`lookup`, so it skips the tree walk; True if there was one."""
    entry = getattr(request, "cms_route", None)
    if not entry:
        return False
    site, page, restrictions = entry["models"]
    _known_restrictions(page, restrictions)
    request._wagtail_site = site
    request._wagtail_route_for_request = (page, [], {})
    return True


def store_route(request, key: str, generation: str, route) -> None:
    """Remember the page a path routed to, if its type opted in and it takes no route arguments.

    Called right after routing, before the page renders, so the stored page
    is the row as read, with no state left over from rendering.
    """
    if route is None or fragment_timeout() <= 0:
        return
    page, args, kwargs = route
    if args or kwargs or not getattr(page, "cache_route", False):
        return
    restrictions = list(page.get_view_restrictions())
    models = (request._wagtail_site, page, restrictions)
    cache.set(key, {"generation": generation, "models": models}, fragment_timeout())
    # Wagtail checks them next on this very page; they were just read.
    _known_restrictions(page, restrictions)


def _known_restrictions(page, restrictions: list) -> None:
    """Let Wagtail's view-restriction check (an ``on_serve_page`` hook) read them from `page`.

    Set on this one instance only, for this request: the admin and every
    other page object still query them. Any change to a restriction starts a
    new generation (cms/apps.py), so the list is current.
    """
    page.get_view_restrictions = lambda: restrictions


def purge_all(**kwargs) -> None:
    """Signal receiver: any change to the public page tree makes every cached page stale."""
    new_generation()


def purge_on_settings_change(*, created: bool = False, **kwargs) -> None:
    """Signal receiver for the site settings, which Wagtail creates empty on first read."""
    if not created:
        new_generation()
