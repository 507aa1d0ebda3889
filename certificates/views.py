"""Public verification, the lookup page, and the worker's own certificates (thin views)."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lms.ratelimit import public_lookup_limit
from registry import selectors as registry_selectors

from . import cache as verify_cache
from . import selectors, services
from .qr import qr_svg


def _missing(request):
    """The one answer for every unknown token: same status, same body.

    The shared header echoes the current path (language switch); it is
    rendered as if for ``/v/`` so the token never shows in a miss.
    """
    neutral = copy.copy(request)
    neutral.path = neutral.path_info = "/v/"
    neutral.META = {**request.META, "QUERY_STRING": ""}
    return render(neutral, "certificates/verify_missing.html", status=404)


@never_cache
@require_safe
@public_lookup_limit
def verify(request, token: str):
    """The QR code's target: a big status and the masked facts of one certificate.

    Anonymous answers (what a household's scan gets) are kept for a short
    while in the cache (see ``certificates.cache``); a status change made
    through the services shows on the very next request.
    """
    # Signed-in visitors see their own header (and a CSRF token): never shared.
    # A household's phone has no session cookie; checking for one is cheaper
    # than loading the user.
    shared = settings.SESSION_COOKIE_NAME not in request.COOKIES and selectors.TOKEN_RE.match(
        token or ""
    )
    if shared:
        variant = f"{get_language()}:{timezone.localdate().isoformat()}"
        generation, answer = verify_cache.lookup(token, variant)
        if answer is not None:
            status, body = answer
            return HttpResponse(body, status=status)
    verification = selectors.verification_for_token(token)
    if verification is None:
        response = _missing(request)
    else:
        response = render(
            request,
            "certificates/verify.html",
            {"v": verification, "checked_at": timezone.localtime()},
        )
    if shared:
        verify_cache.store(token, variant, generation, (response.status_code, response.content))
    return response


@require_safe
@public_lookup_limit
def verify_photo(request, token: str):
    """The holder's photo for the verification page (so the household can compare faces)."""
    photo = selectors.photo_for_token(token)
    if photo is None:
        raise Http404
    try:
        response = FileResponse(photo.open("rb"), content_type="image/jpeg")
    except OSError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=300"
    return response


def certificate_lookup(request, *, page):
    """Lookup by certificate number and the holder's full name (CertificateLookupPage.serve)."""
    number = request.GET.get("number", "").strip()
    name = request.GET.get("name", "").strip()
    context = {"page": page, "self": page, "number": number, "name": name, "searched": False}
    if number or name:
        return _lookup_result(request, context=context, number=number, name=name)
    return render(request, "certificates/lookup_page.html", context)


@public_lookup_limit
def _lookup_result(request, *, context, number, name):
    context["searched"] = True
    context["v"] = selectors.verification_for_number(number, name)
    context["checked_at"] = timezone.localtime()
    return render(request, "certificates/lookup_page.html", context)


# --- the worker's own certificates --------------------------------------------


def _worker_or_404(request):
    worker = registry_selectors.worker_for_user(request.user)
    if worker is None:
        raise Http404
    return worker


@login_required
def my_certificates(request):
    """A worker's certificates: status, QR to show on the phone, PDF and card downloads."""
    worker = _worker_or_404(request)
    today = timezone.localdate()
    items = []
    for cert in selectors.certificates_for_worker(worker):
        status = cert.status_on(today)
        items.append(
            {
                "certificate": cert,
                "status": status,
                "status_label": cert.Status(status).label,
                "css": {"valid": "ok", "revoked": "bad"}.get(status, "warn"),
                "qr": qr_svg(selectors.verify_url(cert.token)) if cert.is_current else "",
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
    services.certificate_render(certificate_id=certificate.pk)
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


@login_required
def my_certificate_file(request, pk: int, kind: str):
    """Download the worker's own certificate PDF or card; anyone else's is a 404."""
    worker = _worker_or_404(request)
    certificate = selectors.certificate_of_worker(worker, pk)
    if certificate is None:
        raise Http404
    return _serve_file(certificate, kind)
