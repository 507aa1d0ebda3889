"""Response headers for answers that hold personal data (a lookup's result, a worker's own pages).

``Cache-Control: no-store, private`` keeps them out of every shared cache
(a proxy, a CDN) and out of the browser's disk cache on a shared phone;
``X-Robots-Tag: noindex`` keeps a search engine from listing one it was
somehow shown. The portal's own page cache already refuses any response
marked ``private`` or ``no-store`` (cms/cache.py).
"""

import functools


def private(response):
    """Mark `response` as personal: stored by no cache, indexed by no search engine."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response


def private_answer(view):
    """Decorator: every response of `view` is marked :func:`private`."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return private(view(request, *args, **kwargs))

    return wrapped
