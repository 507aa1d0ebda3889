"""Views of the portal: cached page serving, search, language switch, error pages."""

from django.conf import settings
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wagtail.models import Page
from wagtail.views import serve as wagtail_serve

from lms import fragments
from lms.ratelimit import public_search_limit

from . import cache as page_cache
from .selectors import search_site


def serve(request, path):
    """Wagtail's page serving, answered from the page cache for anonymous visitors.

    The cache is looked up before Wagtail routes the path, so a hit costs one
    cache round trip and no database query; a lookup page's shared answer
    costs its rate-limit check besides (see cms/cache.py). Otherwise the page
    is routed from the route cache when it can be, then served by Wagtail.
    """
    route = page_cache.route_key(request, path)
    if request.method not in ("GET", "HEAD"):
        # A form's POST (a lookup's answer) is never served from, nor kept in, the
        # page cache; it is routed like a GET, from the remembered route if any.
        _none, generation = page_cache.lookup(request, None, route)
        if not page_cache.use_route(request):
            page_cache.store_route(
                request, route, generation, Page.route_for_request(request, path)
            )
        return wagtail_serve(request, path)
    page_cache.drop_tracking_params(request)
    key = page_cache.cache_key(request) if fragments.request_is_cacheable(request) else None
    cached, generation = page_cache.lookup(request, key, route)
    if cached is not None:
        return cached
    if not page_cache.use_route(request):
        page_cache.store_route(request, route, generation, Page.route_for_request(request, path))
    # A page that shares answers asks whether this key was asked before (cms/wagtail_hooks.py).
    request.cms_page_key = key
    response = wagtail_serve(request, path)
    if key is None:
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    stored = page_cache.store_answer(request, key, response, generation, route)
    if not stored and page_cache.response_is_cacheable(request, response):
        page_cache.store(key, response, generation)
        stored = True
    if stored:
        response[page_cache.HEADER] = "miss"
    page_cache.remember_stored(key, stored)
    return response


@require_GET
@public_search_limit
def search(request):
    """Site search over news, pages and courses (Chinese is segmented with jieba)."""
    query = request.GET.get("q", "").strip()[:100]
    context = search_site(query=query, page_number=request.GET.get("page", "1"))
    return render(request, "cms/search.html", {"query": query, **context})


@require_GET
@never_cache
def set_language(request):
    """Switch the interface language by a plain link, so pages need no CSRF token to offer it.

    Only a language cookie is set (no account data changes), which is why a
    GET is acceptable here; the next URL must stay on this site.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors and no database: the error may be the database.
    return HttpResponseServerError(loader.get_template("500.html").render())
