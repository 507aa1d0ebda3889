"""An independent verifier accepts our credentials, and rejects tampered and revoked ones.

The verifier is Digital Bazaar's JavaScript stack (@digitalbazaar/vc,
eddsa-rdfc-2022, vc-bitstring-status-list) in tests/vc/verify.mjs, offline:
it sees only the credential, our DID document and the signed status list, as
a third party fetches them, and the JSON-LD contexts vendored in the repo.
"""

import copy
import io
import json
import struct
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import credentials
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from tests.certificates.credential_helpers import key_entry, signed
from tests.certificates.independent_verifier import (
    js_verifier_fixture,  # noqa: F401 - the fixture
    published_documents,
)

pytestmark = pytest.mark.usefixtures("vc_key")


def _verify(verifier, client, credential, **kwargs):
    return verifier.verify(credential, documents=published_documents(client, credential), **kwargs)


def test_the_vendored_contexts_are_the_npm_packages(js_verifier):
    answer = js_verifier.check_contexts()
    assert len(answer["checked"]) == len(credentials.CONTEXT_FILES)
    assert answer["differ"] == []


def test_our_credentials_verify(js_verifier, client, login_worker, certificate):
    login_worker(client, certificate.worker.user)
    for url in (
        f"/me/certificates/{certificate.pk}/credential.json",
        f"/me/certificates/{certificate.pk}/credential.json?name=full",
        f"/v/{certificate.token}/credential.json",
    ):
        credential = json.loads(client.get(url).content)
        answer = _verify(js_verifier, client, credential)
        assert answer["verified"], (url, answer)
        assert answer["proof"]["verified"]
        assert answer["status"] == {"checked": True, "revoked": False, "errors": []}


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="高级上门服务证"),
        lambda c: c["credentialSubject"].update(name="李*明"),
        lambda c: c.update(validUntil="2099-12-31T15:59:59Z"),
        lambda c: c["credentialStatus"].update(statusListIndex="0"),
        lambda c: c["proof"][0].update(created="2020-01-01T00:00:00Z"),
    ],
    ids=["achievement", "holder", "validUntil", "status index", "proof options"],
)
def test_a_tampered_credential_is_rejected(js_verifier, client, certificate, change):
    credential = copy.deepcopy(signed(certificate))
    change(credential)
    answer = _verify(js_verifier, client, credential)
    assert not answer["verified"]
    assert not answer["proof"]["verified"]


def test_outside_its_validity_it_is_rejected(js_verifier, client, certificate):
    credential = signed(certificate)
    answer = _verify(
        js_verifier,
        client,
        credential,
        now=f"{certificate.expires_on.year + 1}-01-01T00:00:00Z",
    )
    assert not answer["verified"]
    assert any("validUntil" in e for e in answer["proof"]["errors"])


def test_a_revocation_is_reported_revoked(
    js_verifier, client, certificate, django_capture_on_commit_callbacks
):
    credential = signed(certificate)
    before = published_documents(client, credential)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    answer = _verify(js_verifier, client, credential)
    assert not answer["verified"]
    assert answer["proof"]["verified"]  # still our signature, but no longer counts
    assert answer["status"] == {"checked": True, "revoked": True, "errors": []}
    # The list was re-signed: the old list (cached by a verifier) still says not revoked,
    # and a list whose bits were flipped by someone else fails its own proof.
    assert _verify_with(js_verifier, credential, before)["status"]["revoked"] is False
    forged = copy.deepcopy(published_documents(client, credential))
    status_url = credential["credentialStatus"]["statusListCredential"]
    forged[status_url]["credentialSubject"]["encodedList"] = credentials.encode_bitstring([])
    forged_answer = _verify_with(js_verifier, credential, forged)
    assert not forged_answer["verified"]
    assert forged_answer["status"]["checked"] is False


def _verify_with(verifier, credential, documents):
    return verifier.verify(credential, documents=documents)


def test_a_superseded_credential_no_longer_counts(
    js_verifier, client, certificate, django_capture_on_commit_callbacks
):
    old = signed(certificate)
    with django_capture_on_commit_callbacks(execute=True):
        new_certificate = certificate_reissue(
            certificate=certificate, acting_user=None, reason="遗失"
        )
    # One "revocation" list carries both (docs/integration.md): the old bit is set.
    assert _verify(js_verifier, client, old)["status"]["revoked"] is True
    assert _verify(js_verifier, client, signed(new_certificate))["verified"]


def test_after_a_key_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(
    js_verifier, client, certificate, cert_type, settings, vc_key
):
    from tests.certificates.factories import issue

    old = signed(certificate)
    assert old["proof"][0]["verificationMethod"].endswith("#key-1")
    retired = f"key-1={credentials.public_key_multibase(vc_key.public_key())}"
    settings.VC_SIGNING_KEYS = [key_entry("key-2", Ed25519PrivateKey.generate()), retired]
    documents = published_documents(client, old)
    did = documents[credentials.issuer_did()]
    assert [m["id"].rsplit("#", 1)[1] for m in did["verificationMethod"]] == ["key-2", "key-1"]
    assert _verify(js_verifier, client, old)["verified"]
    new = signed(issue(cert_type))
    answer = _verify(js_verifier, client, new)
    assert answer["verified"]
    assert answer["verificationMethod"] == credentials.verification_method_id("key-2")
    # Take the old key out of the DID document and the old credential no longer verifies.
    settings.VC_SIGNING_KEYS = settings.VC_SIGNING_KEYS[:1]
    gone = _verify(js_verifier, client, old)
    assert not gone["verified"] and not gone["proof"]["verified"]


def _png_text_chunks(png: bytes) -> dict[str, str]:
    """iTXt chunks of a PNG, read by hand (PNG spec §11.3.4.5), not through our own unbake."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        crc = struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0]
        assert crc == zlib.crc32(kind + data)
        if kind == b"iTXt":
            keyword, rest = data.split(b"\0", 1)
            compressed, _method = rest[0], rest[1]
            _language, _translated, text = rest[2:].split(b"\0", 2)
            found[keyword.decode("latin-1")] = (
                zlib.decompress(text) if compressed else text
            ).decode()
        at += 12 + length
    return found


def test_the_baked_card_carries_a_credential_the_verifier_accepts(
    js_verifier, client, login_worker, certificate
):
    login_worker(client, certificate.worker.user)
    png = client.get(f"/me/certificates/{certificate.pk}/credential.png").content
    chunks = _png_text_chunks(io.BytesIO(png).getvalue())
    credential = json.loads(chunks["openbadgecredential"])
    assert _verify(js_verifier, client, credential)["verified"]
