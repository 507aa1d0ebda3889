"""Per-client rate limits for public lookups (django-ratelimit on the cache).

Use ``@public_lookup_limit`` on every public lookup view and API endpoint
(``@public_search_limit`` on the site search). The
key is the client's address; behind the reverse proxy the first address of
X-Forwarded-For is the client (set AXES_PROXY_COUNT / trust the proxy only).
"""

from django.conf import settings

from django_ratelimit.decorators import ratelimit


def client_ip(group, request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _limit(setting: str):
    """Per-client limit at the rate the setting names, read at each request (tests change it)."""

    def rate(group, request) -> str:
        return getattr(settings, setting)

    return ratelimit(key=client_ip, rate=rate, block=True)


public_lookup_limit = _limit("PUBLIC_LOOKUP_RATE")
#: The portal's site search: full-text queries cost the database more than a page view.
public_search_limit = _limit("PUBLIC_SEARCH_RATE")
