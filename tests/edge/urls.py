"""Answers the app never gives, to test the VCL's own rules (the edge_test_views fixture).

Each view counts the requests that reached it (the live server runs in the
test's process), so a test can tell a cache hit from a trip to the origin
without trusting X-Cache alone.
"""

from collections import Counter

from django.http import HttpResponse
from django.urls import path

from lms.urls import handler404, handler500  # noqa: F401
from lms.urls import urlpatterns as app_urlpatterns

#: Requests that reached the origin, by view name.
hits: Counter = Counter()
#: Views told to fail (answer 500), by view name.
failing: set = set()


def reset() -> None:
    hits.clear()
    failing.clear()


def public_answer(name: str, request, *, s_maxage: int = 600) -> HttpResponse:
    hits[name] += 1
    if name in failing:
        return HttpResponse("origin error", status=500, content_type="text/plain")
    response = HttpResponse(
        f"{name} #{hits[name]} {request.get_full_path()}", content_type="text/plain"
    )
    response["Cache-Control"] = f"public, max-age=0, s-maxage={s_maxage}"
    return response


def echo(request):
    """Public, and says which URL the origin was asked for."""
    return public_answer("echo", request)


def sets_cookie(request):
    """Claims to be public, yet sets a cookie: the edge must not keep it."""
    response = public_answer("cookie", request)
    response.set_cookie("visitor", str(hits["cookie"]))
    return response


def short_portal(request):
    """A portal-like answer fresh for one second (then served in grace)."""
    return public_answer("portal", request, s_maxage=1)


def short_verify(request):
    """The same under /v/, where the edge must never serve a stale copy."""
    return public_answer("verify", request, s_maxage=1)


urlpatterns = [
    path("edge-test/echo/", echo),
    path("edge-test/cookie/", sets_cookie),
    path("edge-test/portal/", short_portal),
    path("v/edge-test-grace/", short_verify),
    *app_urlpatterns,
]
