"""Project-wide views: health check and the rate-limit answer."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import edge
from .heartbeat import heartbeat_last


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


def _check_worker() -> tuple[str, str | None]:
    """The worker's heartbeat: "ok" while fresh, "stale" when older than
    ``HEALTH_HEARTBEAT_MAX_AGE`` seconds or missing, "eager" without a broker
    (tasks run in the web process); with the time of the last heartbeat."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager", None
    try:
        last = heartbeat_last()
    except Exception:  # noqa: BLE001 - the database is reported on its own
        return "error", None
    if last is None:
        return "stale", None
    fresh = timezone.now() - last <= datetime.timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE)
    return ("ok" if fresh else "stale"), last.isoformat()


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
    """JSON health report: "ok"; "degraded" (still 200) when the cache, the broker or
    the worker is down; "error" and 503 when the database is.

    Without Redis or a worker the site still serves every page the database
    can answer, so a load balancer must keep sending requests: only a dead
    database takes this process out. Monitoring alerts on anything but "ok".
    """
    worker, heartbeat = _check_worker()
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "broker": _check_broker(),
        "worker": worker,
        "worker_heartbeat": heartbeat,
    }
    if checks["database"] != "ok":
        status = "error"
    elif all(checks[name] in ("ok", "eager") for name in ("cache", "broker", "worker")):
        status = "ok"
    else:
        status = "degraded"
    checks["status"] = status
    return JsonResponse(checks, status=503 if status == "error" else 200)


def ratelimited(request, exception=None):
    """Answer for a client over its rate limit (django-ratelimit's RATELIMIT_VIEW)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "请求过于频繁，请稍后再试。"}, status=429)
    return render(request, "429.html", status=429)


@edge.public()
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /accounts/", "Disallow: /me/"]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
