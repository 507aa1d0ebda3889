"""Views of the portal: page serving, search, language switch, error pages."""

from django.conf import settings
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wagtail.views import serve as wagtail_serve

from lms import edge
from lms.ratelimit import public_search_limit

from .selectors import search_site


def serve(request, path):
    """Wagtail's page serving; every page's anonymous view is offered to the edge cache.

    lms.edge decides on the way out whether the answer is everyone's (an
    anonymous GET that set no cookie: a page that rendered a CSRF token, or
    one for a signed-in user, stays private), and cms/purge.py purges it when
    it changes. A page view that marks itself private (a lookup's answer)
    stays private.
    """
    response = wagtail_serve(request, path)
    if "private" in response.get("Cache-Control", ""):
        return response
    return edge.mark_public(response)


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
