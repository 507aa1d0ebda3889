"""Public verification, the lookup page, and the worker's own certificates (thin views)."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from lms import edge
from lms.http import private, private_answer
from lms.origin import page_form_view
from lms.ratelimit import public_lookup_limit
from registry.selectors.access import worker_for_user
from registry.services import visits as registry_visits
from registry.services.viewlog import workers_viewed

from . import door, live_code
from .forms import VisitConfirmForm
from .models import CertificateLookupPage
from .qr import qr_svg
from .selectors.lookup import (
    certificate_for_token,
    certificate_token_by_id,
    photo_for_token,
    verification_for_number,
    verification_for_token,
    verify_url,
)
from .selectors.records import (
    certificate_of_worker,
    certificates_for_worker,
    live_certificate_of_worker,
)
from .services.rendering import certificate_render


def _missing(request):
    """The one answer for every unknown token: same status, same body.

    The shared header echoes the current path (language switch); it is
    rendered as if for ``/v/`` so the token never shows in a miss.
    """
    neutral = copy.copy(request)
    neutral.path = neutral.path_info = "/v/"
    neutral.META = {**request.META, "QUERY_STRING": ""}
    return render(neutral, "certificates/verify_missing.html", status=404)


@require_safe
@public_lookup_limit
@edge.public(edge.VERIFY)
def verify(request, token: str):
    """The QR code's target: a big status and the masked facts of one certificate.

    Public at the edge for at most ``VERIFY_S_MAXAGE`` seconds and purged after
    every change to what it shows (certificates/purge.py), so a revocation shows
    on the very next request; 查验时间 is when this answer was computed.
    """
    verification = verification_for_token(token)
    if verification is None:
        return _missing(request)
    return render(
        request,
        "certificates/verify.html",
        {"v": verification, "checked_at": timezone.localtime()},
    )


@require_safe
@public_lookup_limit
def verify_photo(request, token: str):
    """The holder's photo for the verification page (so the household can compare faces)."""
    photo = photo_for_token(token)
    if photo is None:
        raise Http404
    try:
        response = FileResponse(photo.open("rb"), content_type="image/jpeg")
    except OSError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=300"
    return response


def certificate_lookup(request, *, page):
    """Lookup by certificate number and the holder's full name (CertificateLookupPage.serve).

    A POST form (to :func:`certificate_lookup_answer`, checked by origin:
    lms/origin.py), answered in its response: the holder's name never goes into
    a URL, so no access log, proxy log or browser history keeps it. A GET shows
    the empty form, whatever its query string: the same for everyone, public at
    the edge.
    """
    context = {"page": page, "self": page, "number": "", "name": "", "searched": False}
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:30]
        name = request.POST.get("name", "").strip()[:50]
        if number or name:
            return private(_lookup_result(request, context=context, number=number, name=name))
    return render(request, "certificates/lookup_page.html", context)


# The certificate lookup form's POST endpoint (no CSRF token; checked by origin).
certificate_lookup_answer = page_form_view(CertificateLookupPage, certificate_lookup)


@public_lookup_limit
def _lookup_result(request, *, context, number, name):
    # The number is echoed for correcting a typo; the name is not shown again.
    context.update(searched=True, number=number)
    context["v"] = verification_for_number(number, name)
    workers_viewed(
        request=request, workers=[context["v"].worker_id] if context["v"] else [], kind="lookup"
    )
    context["checked_at"] = timezone.localtime()
    return render(request, "certificates/lookup_page.html", context)


# --- the worker's own certificates --------------------------------------------


def _worker_or_404(request):
    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404
    return worker


@private_answer
@login_required
def my_certificates(request):
    """A worker's certificates: status, QR to show on the phone, PDF and card downloads."""
    worker = _worker_or_404(request)
    today = timezone.localdate()
    items = []
    for cert in certificates_for_worker(worker):
        status = cert.status_on(today)
        items.append(
            {
                "certificate": cert,
                "status": status,
                "status_label": cert.Status(status).label,
                "css": {"valid": "ok", "revoked": "bad"}.get(status, "warn"),
                # Named, so a screen reader says what the picture is (axe: svg-img-alt).
                "qr": qr_svg(verify_url(cert.token), title=str(_("证书查验二维码")))
                if cert.is_current
                else "",
            }
        )
    return render(
        request,
        "certificates/my_certificates.html",
        {"items": items, "worker": worker},
    )


def _serve_file(certificate, kind: str):
    """The certificate's PDF or card; rendered on the spot if the file is missing."""
    if not certificate.is_current:
        raise Http404
    certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db(fields=["pdf", "card_pdf", "pdf_revision"])
    field = certificate.pdf if kind == "pdf" else certificate.card_pdf
    suffix = "" if kind == "pdf" else "-card"
    try:
        handle = field.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{certificate.number}{suffix}.pdf",
        content_type="application/pdf",
    )


@private_answer
@login_required
def my_certificate_file(request, pk: int, kind: str):
    """Download the worker's own certificate PDF or card; anyone else's is a 404."""
    worker = _worker_or_404(request)
    certificate = certificate_of_worker(worker, pk)
    if certificate is None:
        raise Http404
    return _serve_file(certificate, kind)


# --- the live code, and confirm entry from the status view ----------------------

_LIVE_REFUSED = {
    "expired": _(
        "这个动态码已过期（动态码只在 1 分钟内有效）。请让服务员在手机上打开“我的动态码”，当面重新扫描。"
    ),
    "replayed": _(
        "这个动态码已经被扫描过，不能再次使用。截图或转发的动态码无效，请当面扫描服务员手机上正在刷新的二维码。"
    ),
    "invalid": _("无法识别这个动态码。请当面扫描服务员手机上的二维码，或扫描纸质证书上的二维码。"),
}


def _live_refused(request, reason: str):
    neutral = copy.copy(request)
    neutral.path = neutral.path_info = "/v/"
    neutral.META = {**request.META, "QUERY_STRING": ""}
    return render(
        neutral,
        "certificates/live_refused.html",
        {"message": _LIVE_REFUSED[reason], "reason": reason},
        status=410 if reason in ("expired", "replayed") else 404,
    )


@never_cache
@require_safe
@public_lookup_limit
def verify_live(request, token: str):
    """The live code's target: the same status view, once, within a minute of its making."""
    try:
        opened = live_code.live_token_open(token)
    except live_code.LiveCodeRefused as refused:
        return _live_refused(request, refused.reason)
    cert_token = certificate_token_by_id(opened.certificate_id)
    verification = verification_for_token(cert_token) if cert_token else None
    if verification is None:
        return _missing(request)
    confirm_url = reverse("certificates:confirm", args=[cert_token])
    # The consent app keeps the worker's log of who looked (a higher app: through a hook).
    workers_viewed(request=request, workers=[verification.worker_id], kind="live_scan")
    return render(
        request,
        "certificates/verify.html",
        {
            "v": verification,
            "checked_at": timezone.localtime(),
            "live": True,
            "confirm_url": f"{confirm_url}?{urlencode({'via': opened.opened_token})}",
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@public_lookup_limit
def visit_confirm(request, token: str):
    """The household confirms that this certificate's holder entered their home.

    Creates the service visit and sends the household to its one-time rating
    link. Reached from the printed code or, with a fresh ``via`` proof, from
    the live code (recorded as such).
    """
    certificate = certificate_for_token(token)
    verification = verification_for_token(token) if certificate else None
    if verification is None:
        return _missing(request)
    via = request.POST.get("via") or request.GET.get("via", "")
    is_live = live_code.opened_certificate_id(via) == certificate.pk
    form = VisitConfirmForm(request.POST if request.method == "POST" else None)
    warnings = verification.confirm_warnings
    ask_again = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A red or replaced code: nothing is recorded until the household, having read
        # the reasons, presses "仍然确认".
        ask_again = bool(warnings) and not data["acknowledged"]
        if not ask_again:
            try:
                _visit, rating_token = registry_visits.visit_confirm(
                    worker=certificate.worker,
                    service_category=data["service_category"],
                    service_date=data["service_date"],
                    district=data["district"],
                    contact=data["contact"],
                    scanned_via="live" if is_live else "printed",
                    warnings_seen=tuple(warnings),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                url = reverse("registry:visit_rate", args=[rating_token])
                return redirect(f"{url}?new=1")
    return render(
        request,
        "certificates/confirm.html",
        {
            "v": verification,
            "form": form,
            "via": via if is_live else "",
            "live": is_live,
            "warnings": warnings,
            "ask_again": ask_again,
        },
    )


def _live_payload(certificate) -> dict:
    url = live_code.live_url(live_code.live_token_make(certificate.pk))
    return {
        "url": url,
        "svg": qr_svg(url, title=str(_("动态码"))),
        "made_at": timezone.localtime().strftime("%H:%M:%S"),
        "refresh": live_code.live_refresh_seconds(),
    }


@never_cache
@login_required
def my_live_code(request):
    """The worker's live code: a QR that refreshes itself, to show at the door."""
    worker = _worker_or_404(request)
    certificate = live_certificate_of_worker(worker)
    context = {
        "worker": worker,
        "certificate": certificate,
        "door": door.door_status(worker),
        "code": _live_payload(certificate) if certificate else None,
        "lifetime": live_code.live_code_seconds(),
    }
    return render(request, "certificates/my_live_code.html", context)


@never_cache
@require_safe
@login_required
def my_live_code_refresh(request):
    """A fresh live code as JSON (for the page's small script)."""
    worker = _worker_or_404(request)
    certificate = live_certificate_of_worker(worker)
    if certificate is None:
        return JsonResponse({"detail": "no_certificate"}, status=404)
    return JsonResponse(_live_payload(certificate))
