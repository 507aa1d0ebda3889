"""Project-wide views: health check and the rate-limit answer."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "error"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("health:ping", "pong", 5)
        return "ok" if cache.get("health:ping") == "pong" else "error"
    except Exception:  # noqa: BLE001
        return "error"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from lms.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


def live(request):
    """Liveness probe: a bare Django view (also the benchmarks' baseline)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def health(request):
    """JSON health report; 503 when the database, cache or broker is unreachable."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(v in ("ok", "eager") for v in checks.values())
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)


def ratelimited(request, exception=None):
    """Answer for a client over its rate limit (django-ratelimit's RATELIMIT_VIEW)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "请求过于频繁，请稍后再试。"}, status=429)
    return render(request, "429.html", status=429)


def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /accounts/", "Disallow: /me/"]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
