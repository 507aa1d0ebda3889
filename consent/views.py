"""Thin views: the household's request, wait and full record; the worker's inbox, grants and views.

The household's pages are private (``no-store``) and bound to its browser
by two HttpOnly cookies, never by anything in a URL: the request's secret
while it waits, then the grant's token, replaced on every view.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from certificates.selectors.lookup import certificate_for_token, verification_for_token
from certificates.selectors.records import live_certificate_of_worker
from lms.http import private, private_answer
from lms.origin import origin_checked
from lms.ratelimit import public_lookup_limit
from registry.selectors.access import worker_for_user

from . import services
from .models import ViewerKind, WorkerView
from .selectors.grants import (
    inbox_version,
    open_grants_for_worker,
    pause_of_worker,
    pending_requests_for_worker,
    request_for_browser,
    request_state,
    views_for_worker,
)
from .selectors.record import full_record, photo_of_worker

REQUEST_COOKIE = "consent_request"
GRANT_COOKIE = "consent_grant"
#: Both cookies go only to the consent pages.
COOKIE_PATH = "/consent/"

#: A transparent 1×1 GIF: the answer of the scan beacon.
BEACON_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

GRANT_REFUSED = {
    "missing": gettext_lazy(
        "这台手机没有查看完整档案的授权。请扫描服务员的二维码，再点“请服务员授权查看完整档案”。"
    ),
    "invalid": gettext_lazy(
        "这个授权无法识别（可能被改动过），不能查看完整档案。请重新请求服务员授权。"
    ),
    "expired": gettext_lazy("授权已到期，完整档案不再显示。如需继续查看，请重新请求服务员授权。"),
    "withdrawn": gettext_lazy("服务员已撤回授权，完整档案不再显示。"),
    "replayed": gettext_lazy(
        "这个授权已在另一台设备上使用过。为保护服务员的信息，授权已失效，请当面重新请求。"
    ),
}


def poll_seconds() -> int:
    """How often the waiting pages ask for news (CONSENT_POLL_SECONDS, 3)."""
    return max(1, int(getattr(settings, "CONSENT_POLL_SECONDS", 3)))


def _set_cookie(response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max(1, max_age),
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _delete_cookie(response, name: str) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, samesite="Lax")


def _masked_of_worker(worker):
    """The masked verification of the worker's current certificate (what a scan shows), or None."""
    certificate = live_certificate_of_worker(worker) if worker is not None else None
    return verification_for_token(certificate.token) if certificate else None


# --- the household --------------------------------------------------------------------------


@require_safe
def certificate_seen(request, token: str):
    """The scan beacon: the verify page (kept at the edge) loads this uncached image.

    A scan answered by the edge cache never reaches the application; this
    image is ``no-store``, so each page view asks for it and is logged. The
    same answer whatever the token; one record per client and code per half minute.
    """
    certificate = certificate_for_token(token[:64])
    if certificate is not None:
        key = "consent:seen:" + services.keyed_hash(
            "seen", f"{token}|{services.client_hash(request)}"
        )
        if cache.add(key, 1, timeout=30):
            services.worker_views_record(
                workers=[certificate.worker_id],
                kind=WorkerView.Kind.CERTIFICATE_SCAN,
                request=request,
            )
    return private(HttpResponse(BEACON_GIF, content_type="image/gif"))


@require_POST
@origin_checked
@public_lookup_limit
def ask(request):
    """The household's 请服务员授权查看完整档案 (a form on the masked page, checked by origin)."""
    token = request.POST.get("certificate", "")[:64]
    certificate = certificate_for_token(token)
    if certificate is None:
        raise Http404
    try:
        _consent, secret = services.consent_request_create(
            worker=certificate.worker, viewer_kind=ViewerKind.HOUSEHOLD, request=request
        )
    except services.RequestRefused as refused:
        context = {
            "message": refused.message,
            "back_url": reverse("certificates:verify", args=[token]),
        }
        status = 429 if refused.reason == "too_many" else 200
        return private(render(request, "consent/ask_refused.html", context, status=status))
    response = redirect("consent:wait")
    _set_cookie(response, REQUEST_COOKIE, secret, services.request_seconds() + 600)
    return private(response)


@private_answer
@require_safe
def wait(request):
    """The household's phone: the matching number, until the worker answers (or 2 minutes pass)."""
    secret = request.COOKIES.get(REQUEST_COOKIE, "")
    consent = request_for_browser(secret)
    if consent is None:
        return render(request, "consent/wait.html", {"state": "missing"})
    state = request_state(consent)
    if state == "approved":
        claimed, token = services.consent_grant_claim(secret=secret)
        response = redirect("consent:record")
        if token:
            grant = claimed.grant
            _set_cookie(
                response,
                GRANT_COOKIE,
                token,
                int((grant.expires_at - timezone.now()).total_seconds()),
            )
        _delete_cookie(response, REQUEST_COOKIE)
        return response
    verification = _masked_of_worker(consent.worker)
    context = {
        "consent": consent,
        "state": state,
        "seconds_left": max(0, int((consent.expires_at - timezone.now()).total_seconds())),
        "poll": poll_seconds(),
        "back_url": reverse("certificates:verify", args=[verification.token])
        if verification
        else "",
    }
    return render(request, "consent/wait.html", context)


@private_answer
@require_safe
def wait_status(request):
    """The waiting page's small JSON: {"state": pending | approved | refused | expired | missing}."""
    consent = request_for_browser(request.COOKIES.get(REQUEST_COOKIE, ""))
    return JsonResponse({"state": request_state(consent) if consent else "missing"})


@private_answer
@require_safe
def record(request):
    """The full record, while this browser's grant is open; otherwise the masked page, with why."""
    check = services.consent_grant_open(token=request.COOKIES.get(GRANT_COOKIE, ""))
    if check.reason:
        verification = _masked_of_worker(check.grant.worker if check.grant else None)
        response = render(
            request,
            "consent/record_refused.html",
            {"message": GRANT_REFUSED[check.reason], "v": verification, "reason": check.reason},
        )
        if check.reason != "missing":
            _delete_cookie(response, GRANT_COOKIE)
        return response
    grant = check.grant
    services.worker_views_record(
        workers=[grant.worker_id],
        kind=WorkerView.Kind.FULL_RECORD,
        viewer_kind=ViewerKind.HOUSEHOLD,
        request=request,
    )
    context = {
        "record": full_record(grant.worker_id),
        "grant": grant,
        "photo_url": reverse("consent:record_photo"),
    }
    response = render(request, "consent/record.html", context)
    if check.token:
        left = int((grant.expires_at - timezone.now()).total_seconds())
        _set_cookie(response, GRANT_COOKIE, check.token, left)
    return response


@require_safe
def record_photo(request):
    """The worker's photo for the full record: only with this browser's open grant."""
    check = services.consent_grant_open(token=request.COOKIES.get(GRANT_COOKIE, ""), rotate=False)
    photo = photo_of_worker(check.grant.worker_id) if not check.reason else None
    if photo is None:
        raise Http404
    try:
        response = FileResponse(photo.open("rb"), content_type="image/jpeg")
    except (OSError, ValueError):
        raise Http404 from None
    return private(response)


# --- the worker -----------------------------------------------------------------------------


def _worker_or_404(request):
    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404
    return worker


def inbox_context(request, worker) -> dict:
    """What the worker's inbox (on /me/code/) shows: waiting requests, durations, the pause."""
    now = timezone.now()
    requests = pending_requests_for_worker(worker, now=now)
    paused = pause_of_worker(worker, now=now)
    return {
        "requests": requests,
        "paused_until": paused,
        "durations": services.duration_choices(),
        "version": inbox_version(requests, paused),
        "poll": poll_seconds(),
        "request": request,
    }


@private_answer
@require_safe
@login_required
def inbox(request):
    """The worker's inbox as JSON: its version, and its HTML when the version changed."""
    worker = _worker_or_404(request)
    context = inbox_context(request, worker)
    data = {"version": context["version"]}
    if request.GET.get("v") != context["version"]:
        data["html"] = render_to_string("consent/includes/inbox_items.html", context, request)
    return JsonResponse(data)


def _back(request):
    return redirect(
        "consent:my_views" if request.POST.get("next") == "views" else "certificates:my_code"
    )


@private_answer
@require_POST
@login_required
def answer(request, pk: int):
    """The worker's 同意 (with a duration) or 拒绝 to one request."""
    worker = _worker_or_404(request)
    approve = request.POST.get("answer") == "approve"
    try:
        hours = int(request.POST.get("hours") or 0)
    except ValueError:
        hours = 0
    try:
        services.consent_request_answer(
            worker=worker, request_id=pk, approve=approve, hours=hours, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已同意。对方现在可以查看你的完整档案，你可以随时在“谁查看了我”里撤回。")
            if approve
            else _("已拒绝，对方看不到你的完整档案。"),
        )
    return _back(request)


@private_answer
@require_POST
@login_required
def pause(request):
    """Refuse all requests for a day, or accept them again."""
    worker = _worker_or_404(request)
    on = request.POST.get("on") == "1"
    services.consent_pause(worker=worker, on=on)
    messages.success(
        request,
        _("今天起 24 小时内的查看请求都会被自动拒绝。") if on else _("已恢复接受查看请求。"),
    )
    return _back(request)


@private_answer
@require_safe
@login_required
def my_views(request):
    """谁查看了我的信息: open grants (withdraw), the pause, and every view, newest first."""
    worker = _worker_or_404(request)
    now = timezone.now()
    context = {
        "worker": worker,
        "grants": open_grants_for_worker(worker, now=now),
        "paused_until": pause_of_worker(worker, now=now),
        "views": views_for_worker(worker),
        "retention_days": services.retention_days(),
    }
    return render(request, "consent/my_views.html", context)


@private_answer
@require_POST
@login_required
def withdraw(request, pk: int):
    """Withdraw one open grant: the viewer's next page shows the masked view."""
    worker = _worker_or_404(request)
    try:
        services.consent_grant_withdraw(worker=worker, grant_id=pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回授权，对方再刷新页面时将看不到你的完整档案。"))
    return redirect("consent:my_views")


@private_answer
@require_POST
@login_required
def report(request, pk: int):
    """Report a view the worker does not recognise: the district regulator gets a warning."""
    worker = _worker_or_404(request)
    try:
        services.worker_view_report(worker=worker, view_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已举报。所在区的监管部门会收到预警并核查。"))
    return redirect("consent:my_views")
