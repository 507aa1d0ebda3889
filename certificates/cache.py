"""Short-lived cache of rendered verification answers, safe against stale writes.

Each token has a generation in the cache; an answer is stored together with
the generation read *before* the database was, and is used only while the
generation is unchanged. Every write that changes what a token answers
(issue, revoke, reissue, renewal) sets a new random generation — before and
again after commit — so a reader that raced the write can never make its
stale answer current: the very next request sees the change.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def page_seconds() -> int:
    """How long a rendered answer may be reused (CERTIFICATES_VERIFY_CACHE_SECONDS).

    Bounds how stale the holder's credit standing can be; status changes
    made through the services show at once.
    """
    return getattr(settings, "CERTIFICATES_VERIFY_CACHE_SECONDS", 60)


def _gen_key(token: str) -> str:
    return f"certificates:verify:gen:{token}"


def _page_key(token: str, variant: str) -> str:
    return f"certificates:verify:page:{token}:{variant}"


def lookup(token: str, variant: str):
    """(generation, stored answer or None) in one cache round trip."""
    gen_key, page_key = _gen_key(token), _page_key(token, variant)
    found = cache.get_many([gen_key, page_key])
    generation = found.get(gen_key)
    entry = found.get(page_key)
    if entry is not None and entry[0] == generation:
        return generation, entry[1]
    return generation, None


def store(token: str, variant: str, generation, answer) -> None:
    cache.set(_page_key(token, variant), (generation, answer), page_seconds())


def invalidate(*tokens: str) -> None:
    """Make every stored answer for `tokens` stale, now and once more after commit."""

    def _bump():
        cache.set_many({_gen_key(t): secrets.token_hex(8) for t in tokens}, timeout=None)

    _bump()
    transaction.on_commit(_bump)
