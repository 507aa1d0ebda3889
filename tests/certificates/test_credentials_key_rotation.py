"""Rotating the issuer key: a new verification method, the old one kept, old credentials verify."""

from django.core.exceptions import ImproperlyConfigured

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import credential_checks, credential_services, credentials
from certificates.services.revocation import certificate_revoke
from tests.certificates.credential_helpers import key_entry, signed
from tests.certificates.factories import issue

pytestmark = pytest.mark.usefixtures("vc_key")


@pytest.fixture
def rotate(settings, vc_key):
    """Make key-2 the signing key and keep key-1 as a retired (public-only) entry."""

    def run():
        new_key = Ed25519PrivateKey.generate()
        retired = f"key-1={credentials.public_key_multibase(vc_key.public_key())}"
        settings.VC_SIGNING_KEYS = [key_entry("key-2", new_key), retired]
        return new_key

    return run


def test_the_did_document_keeps_the_old_method_beside_the_new(client, rotate, vc_key):
    new_key = rotate()
    document = client.get("/.well-known/did.json").json()
    methods = {m["id"]: m["publicKeyMultibase"] for m in document["verificationMethod"]}
    assert methods == {
        credentials.verification_method_id("key-2"): credentials.public_key_multibase(
            new_key.public_key()
        ),
        credentials.verification_method_id("key-1"): credentials.public_key_multibase(
            vc_key.public_key()
        ),
    }
    assert sorted(document["assertionMethod"]) == sorted(methods)


def test_old_credentials_still_verify_and_new_ones_use_the_new_key(certificate, cert_type, rotate):
    old = signed(certificate)
    rotate()
    assert credential_checks.verify_credential(old)["verified"]
    new = signed(issue(cert_type))
    assert new["proof"][0]["verificationMethod"] == credentials.verification_method_id("key-2")
    assert credential_checks.verify_credential(new)["verified"]
    # The same certificate downloaded again is signed anew with the new key.
    again = signed(certificate)
    assert again["proof"][0]["verificationMethod"].endswith("#key-2")
    assert credential_checks.verify_credential(again)["verified"]


def test_a_status_list_re_signed_after_rotation_uses_the_new_key(
    certificate, rotate, django_capture_on_commit_callbacks
):
    old = signed(certificate)
    rotate()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    record = credential_services.credential_record(certificate=certificate)
    record.status_list.refresh_from_db()
    proof = record.status_list.document["proof"]
    assert proof["verificationMethod"] == credentials.verification_method_id("key-2")
    codes = {c["check"]: c["code"] for c in credential_checks.verify_credential(old)["checks"]}
    assert codes == {
        "proof": "proof_valid",
        "issuer": "issuer_known",
        "validity": "within_validity",
        "status": "revoked",
    }


def test_dropping_the_old_method_stops_old_credentials(certificate, settings, rotate):
    old = signed(certificate)
    rotate()
    settings.VC_SIGNING_KEYS = settings.VC_SIGNING_KEYS[:1]
    codes = {c["check"]: c["code"] for c in credential_checks.verify_credential(old)["checks"]}
    assert codes["proof"] == "proof_key_unknown"
    assert codes["issuer"] == "issuer_key_unknown"


def test_a_retired_key_cannot_sign(settings, vc_key):
    settings.VC_SIGNING_KEYS = [f"key-1={credentials.public_key_multibase(vc_key.public_key())}"]
    assert not credentials.credentials_enabled()
    with pytest.raises(credentials.CredentialError):
        credentials.signing_key()


def test_a_key_id_named_twice_is_refused(settings, vc_key):
    public = credentials.public_key_multibase(vc_key.public_key())
    settings.VC_SIGNING_KEYS = [key_entry("key-1", vc_key), f"key-1={public}"]
    with pytest.raises(ImproperlyConfigured):
        credentials.issuer_keys()
