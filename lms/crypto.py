"""Encryption at rest for personal identifiers (see docs/privacy.md).

Values such as resident ID numbers are stored twice: encrypted with
MultiFernet (AES-128-CBC + HMAC; the first key encrypts, every key decrypts,
so keys can be rotated) and as a keyed HMAC-SHA256 digest for equality lookup.
A database dump alone shows neither the number nor a hash that could be
brute-forced without the key.
"""

import base64
import hashlib
import hmac
from functools import cache

from django.conf import settings

from cryptography.fernet import Fernet, MultiFernet


def _derived_key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        # Demo and tests: a key derived from SECRET_KEY; production sets its own.
        keys = [base64.urlsafe_b64encode(_derived_key("field-encryption")).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def _hash_key() -> bytes:
    key = settings.PII_HASH_KEY
    return key.encode() if key else _derived_key("pii-hash")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed digest of `value` for equality lookups (hex, 64 characters)."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def rotate(token: str) -> str:
    """Re-encrypt `token` under the newest key."""
    return _fernet().rotate(token.encode()).decode()
