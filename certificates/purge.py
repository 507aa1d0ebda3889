"""The edge-cache URLs of a certificate, purged after every change to what they show.

``/v/<token>/`` (the QR code's page) and ``/api/v1/verify/<token>`` are public
at the edge for at most ``VERIFY_S_MAXAGE`` seconds (lms/edge.py). What they
show changes with the certificate (issue, revocation, reissue, supersession,
renewal, expiry: certificates/services/ and tasks.py purge then) and with
its holder's record in the registry (credit records, door colour, insurance,
employment, visits and ratings): the registry, a lower app, announces a
worker's change through :func:`lms.edge.purge_worker_after_commit`, and this
app answers with the worker's certificate URLs (registered in apps.py).
"""

from __future__ import annotations

from lms import edge

from .models import Certificate


def verify_paths(tokens) -> list[str]:
    """The public URLs that answer for each token."""
    paths = []
    for token in tokens:
        if token:
            paths += [f"/v/{token}/", f"/api/v1/verify/{token}"]
    return paths


def worker_paths(worker_ids) -> list[str]:
    """The verify URLs of every certificate these workers ever held (a replaced one points
    to its successor, so its page changes too)."""
    tokens = Certificate.objects.filter(worker_id__in=list(worker_ids)).values_list(
        "token", flat=True
    )
    return verify_paths(tokens)


def tokens_after_commit(*tokens: str) -> None:
    """Purge these certificates' URLs once the current transaction commits."""
    edge.purge_paths_after_commit(verify_paths(tokens))
