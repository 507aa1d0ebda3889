"""The eddsa-rdfc-2022 proof reproduces the W3C test vector exactly.

Vectors: W3C "Data Integrity EdDSA Cryptosuites v1.0", TestVectors/ of
w3c/vc-di-eddsa (tests/certificates/vectors/README.md).
"""

import hashlib
import json
from pathlib import Path

import pytest
from pyld import jsonld

from certificates import credentials

VECTORS = Path(__file__).parent / "vectors"
RDFC = VECTORS / "eddsa-rdfc-2022"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name):
    return json.loads((RDFC / name).read_text())


@pytest.fixture
def loader():
    examples = json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text())
    return credentials.document_loader({EXAMPLES_V2: examples})


@pytest.fixture
def key_pair():
    pair = _json("keyPair.json")
    return pair, credentials.private_key_from_multibase(pair["privateKeyMultibase"])


def test_canonical_document_and_its_hash(loader):
    canonical = credentials.canonize(_json("unsigned.json"), loader=loader)
    assert canonical == (RDFC / "canonDocDataInt.txt").read_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == (RDFC / "docHashDataInt.txt").read_text().strip()


def test_canonical_proof_options_and_their_hash(loader):
    canonical = credentials.canonize(_json("proofConfigDataInt.json"), loader=loader)
    assert canonical == (RDFC / "proofCanonDataInt.txt").read_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == (RDFC / "proofHashDataInt.txt").read_text().strip()


def test_the_key_pair_encodes_as_the_vector_says(key_pair):
    pair, private_key = key_pair
    assert credentials.public_key_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    assert credentials.private_key_multibase(private_key) == pair["privateKeyMultibase"]


def test_signing_gives_the_vectors_signed_credential(loader, key_pair):
    _pair, private_key = key_pair
    config = _json("proofConfigDataInt.json")
    secured = credentials.add_proof(
        _json("unsigned.json"),
        private_key=private_key,
        verification_method=config["verificationMethod"],
        created=config["created"],
        loader=loader,
    )
    expected = _json("signedDataInt.json")
    assert secured["proof"]["proofValue"] == expected["proof"]["proofValue"]
    assert secured == expected


def test_the_vectors_signed_credential_verifies_and_a_changed_one_does_not(loader, key_pair):
    _pair, private_key = key_pair
    expected = _json("signedDataInt.json")
    public_key = private_key.public_key()
    assert credentials.proof_is_valid(expected, public_key=public_key, loader=loader)
    tampered = {**expected, "credentialSubject": {**expected["credentialSubject"]}}
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert not credentials.proof_is_valid(tampered, public_key=public_key, loader=loader)


def test_the_loader_serves_vendored_contexts_only():
    load = credentials.document_loader()
    assert load(credentials.VC_V2)["document"]["@context"]
    with pytest.raises(jsonld.JsonLdError):
        load("https://example.com/evil-context.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        # A context that is not vendored fails canonicalisation instead of being fetched.
        credentials.canonize({"@context": EXAMPLES_V2, "name": "x"})
