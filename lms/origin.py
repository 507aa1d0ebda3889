"""Forms that post without a CSRF token, checked by where the request comes from instead.

The public lookups (a household asks about a card, an agency, a certificate)
are read-only and anonymous, and their empty pages must be the same for every
visitor so that the edge cache can keep them (lms/edge.py): a CSRF token in
the form is one visitor's own and sets a cookie, which keeps a page out of
every shared cache. Their forms therefore post to views that skip Django's
token check and verify the request's origin instead, the check OWASP names
for this case: the ``Origin`` header, which every current browser sends with
a POST (or, failing it, the ``Referer``), must be this site or one of
``CSRF_TRUSTED_ORIGINS``. A cross-site page cannot make a visitor's browser
post one, and since nothing is written, a forged lookup would gain nothing anyway.

Every form that changes anything keeps Django's CSRF token.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_same_origin(request) -> bool:
    """Whether a POST comes from a page of this site (``Origin``, else ``Referer``)."""
    claimed = request.headers.get("Origin") or ""
    if not claimed or claimed == "null":
        claimed = request.headers.get("Referer") or ""
    if not claimed:
        return False
    ours = {f"{request.scheme}://{request.get_host()}".lower()}
    ours |= {origin.lower().rstrip("/") for origin in settings.CSRF_TRUSTED_ORIGINS}
    return _origin_of(claimed) in ours


def origin_checked(view):
    """Decorator: the view takes a POST without a CSRF token, from this site only."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and not is_same_origin(request):
            return csrf_failure(request, reason="Origin checking failed: not this site.")
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def page_form_view(page_model, answer):
    """The POST endpoint of a lookup page's form: ``answer(request, page=…)`` for the live
    page of `page_model` named by ``page_id``, checked by origin, POST only."""

    @require_POST
    @origin_checked
    def view(request, page_id: int):
        page = get_object_or_404(page_model.objects.live(), pk=page_id)
        return answer(request, page=page)

    return view
