"""Signing keys and records for the verifiable-certificate tests."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import credential_services, credentials
from lms import crypto


def key_entry(kid: str, private_key: Ed25519PrivateKey) -> str:
    """A VC_SIGNING_KEYS entry as deployment writes it: the key encrypted at rest."""
    return f"{kid}={crypto.encrypt(credentials.private_key_multibase(private_key))}"


def signed(certificate, **kwargs) -> dict:
    record = credential_services.credential_record(certificate=certificate)
    return credentials.credential_for(certificate, record, **kwargs)
