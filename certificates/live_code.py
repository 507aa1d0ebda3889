"""The live code (动态码): a short-lived, signed, single-use QR token on the worker's phone.

The printed QR (``/v/<token>/``) works for years; the live one proves that
whoever shows it holds the worker's account now. Its token is signed with
``django.core.signing.TimestampSigner`` (no database row), lives
``live_code_seconds()`` and is refused the second time it is opened, so a
screenshot passed on stops working. Opening it hands the household an
"opened" token that only lets them confirm entry for that certificate for a
while; it reveals no personal data (a certificate id and a random nonce).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

LIVE_SALT = "certificates.live-code"
OPENED_SALT = "certificates.live-code.opened"


def live_code_seconds() -> int:
    """How long a live code is accepted after it was made (CERTIFICATES_LIVE_CODE_SECONDS)."""
    return int(getattr(settings, "CERTIFICATES_LIVE_CODE_SECONDS", 60))


def live_refresh_seconds() -> int:
    """How often the worker's page fetches a fresh code: well within its lifetime."""
    return max(5, live_code_seconds() // 3)


def opened_seconds() -> int:
    """How long after opening a live code the household may confirm entry with it."""
    return int(getattr(settings, "CERTIFICATES_LIVE_CONFIRM_SECONDS", 30 * 60))


class LiveCodeRefused(Exception):
    """A live code that cannot be opened; ``reason`` is "expired", "replayed" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OpenedCode:
    certificate_id: int
    opened_token: str


def live_token_make(certificate_id: int) -> str:
    """A fresh signed token for the certificate (a new nonce every time)."""
    signer = signing.TimestampSigner(salt=LIVE_SALT)
    return signer.sign_object({"c": certificate_id, "n": secrets.token_urlsafe(9)})


def live_url(token: str) -> str:
    return f"{settings.SITE_URL}/v/live/{token}/"


def live_token_open(token: str) -> OpenedCode:
    """Check a scanned live token and use it up; raises :class:`LiveCodeRefused`.

    The nonce is claimed with an atomic ``cache.add`` (Redis ``SET NX`` in
    production), so of two phones opening one code, only the first succeeds.
    """
    signer = signing.TimestampSigner(salt=LIVE_SALT)
    try:
        value = signer.unsign_object(token, max_age=live_code_seconds())
    except signing.SignatureExpired:
        raise LiveCodeRefused("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LiveCodeRefused("invalid") from None
    try:
        certificate_id, nonce = int(value["c"]), str(value["n"])
    except (KeyError, TypeError, ValueError):
        raise LiveCodeRefused("invalid") from None
    # Kept a little longer than the token lives, so it cannot be opened again.
    if not cache.add(f"certificates:live-used:{nonce}", 1, timeout=live_code_seconds() + 60):
        raise LiveCodeRefused("replayed")
    opened = signing.TimestampSigner(salt=OPENED_SALT).sign_object({"c": certificate_id})
    return OpenedCode(certificate_id=certificate_id, opened_token=opened)


def opened_certificate_id(opened_token: str) -> int | None:
    """The certificate an opened live code is for, while the confirm window lasts, else None."""
    if not opened_token:
        return None
    try:
        value = signing.TimestampSigner(salt=OPENED_SALT).unsign_object(
            opened_token, max_age=opened_seconds()
        )
        return int(value["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
