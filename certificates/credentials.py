"""Verifiable certificates: Open Badges 3.0 credentials with an ``eddsa-rdfc-2022`` proof.

Everything here is pure (no database writes): the issuer's keys, the DID
document and issuer profile, the credential a certificate becomes, the Data
Integrity proof and its verification, and the Bitstring Status List
encoding. ``credential_services`` does the writes (status indexes, lists).

The proof follows W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.2
(eddsa-rdfc-2022): both the document without its proof and the proof
options are canonicalised with RDF Dataset Canonicalization (PyLD's
URDNA2015, which RDFC-1.0 renamed), each hashed with SHA-256, and Ed25519
signs proof hash ‖ document hash. JSON-LD contexts come only from the
files vendored in ``certificates/vc/contexts`` (README there): a verifier
that fetched contexts from the network could be fed a different meaning
for the same bytes, and a context host going dark would break every
credential already issued.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

from lms import crypto
from lms.masking import mask_name

logger = logging.getLogger(__name__)

VC_DIR = Path(__file__).resolve().parent / "vc"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"

#: Context URL -> vendored file (certificates/vc/contexts/README.md says where each came from).
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
}

CRYPTOSUITE = "eddsa-rdfc-2022"
#: Entries per status list: the W3C Bitstring Status List minimum (16 KiB uncompressed),
#: so one credential's bit hides among at least 131,072 (herd privacy).
STATUS_LIST_SIZE = 131_072
STATUS_PURPOSE = "revocation"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Multicodec prefixes of Multikey (varint): ed25519-pub 0xed, ed25519-priv 0x1300.
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class CredentialError(Exception):
    """A credential or key that cannot be used; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


# --- encodings ------------------------------------------------------------------


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58[rem])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise CredentialError("bad_encoding", "not base58btc")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_b58(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not text or text[0] != "z":
        raise CredentialError("bad_encoding", "multibase value must start with z (base58btc)")
    return base58btc_decode(text[1:])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_b58(_ED25519_PUB + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    raw = from_multibase_b58(text)
    if len(raw) != 34 or raw[:2] != _ED25519_PUB:
        raise CredentialError("bad_key", "not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def private_key_multibase(private_key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_b58(_ED25519_PRIV + seed)


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    raw = from_multibase_b58(text)
    if len(raw) != 34 or raw[:2] != _ED25519_PRIV:
        raise CredentialError("bad_key", "not an Ed25519 Multikey private key")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


# --- issuer keys ----------------------------------------------------------------


@dataclass(frozen=True)
class IssuerKey:
    """One verification method of the issuer; ``private`` is None for a retired key."""

    kid: str
    public_multibase: str
    private: Ed25519PrivateKey | None = None


def _demo_key() -> IssuerKey:
    seed = hashlib.sha256(f"vc-signing-demo:{settings.SECRET_KEY}".encode()).digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return IssuerKey("demo", public_key_multibase(private.public_key()), private)


def _parse_key(entry: str) -> IssuerKey:
    kid, sep, value = entry.strip().partition("=")
    kid, value = kid.strip(), value.strip()
    if not sep or not kid or not value:
        raise ImproperlyConfigured("VC_SIGNING_KEYS entries are key-id=value (docs/deployment.md).")
    if value.startswith("z6Mk"):
        # A retired key: only its public half stays published, so old credentials verify.
        public_key_from_multibase(value)  # refuse a malformed one at start-up
        return IssuerKey(kid, value)
    try:
        private = private_key_from_multibase(crypto.decrypt(value))
    except Exception as exc:  # InvalidToken, bad multibase: say which entry
        raise ImproperlyConfigured(
            f"VC_SIGNING_KEYS entry {kid!r} does not decrypt to an Ed25519 key with "
            "FIELD_ENCRYPTION_KEYS (docs/deployment.md)."
        ) from exc
    return IssuerKey(kid, public_key_multibase(private.public_key()), private)


def _keys_for(entries: tuple[str, ...], debug: bool) -> tuple[IssuerKey, ...]:
    keys = tuple(_parse_key(e) for e in entries if e.strip())
    if not keys and debug:
        # The embedded demo (DJANGO_DEBUG=1, no key set): a key derived from SECRET_KEY.
        # It is as secret as SECRET_KEY and changes with it; never use it in production.
        return (_demo_key(),)
    if len({k.kid for k in keys}) != len(keys):
        raise ImproperlyConfigured("VC_SIGNING_KEYS names a key id twice.")
    return keys


_key_cache: dict = {}


def issuer_keys() -> tuple[IssuerKey, ...]:
    """Every published key, newest (the signing one) first."""
    entries = tuple(getattr(settings, "VC_SIGNING_KEYS", ()) or ())
    cache_key = (entries, settings.DEBUG, settings.SECRET_KEY)
    if cache_key not in _key_cache:
        _key_cache.clear()
        _key_cache[cache_key] = _keys_for(entries, settings.DEBUG)
    return _key_cache[cache_key]


def credentials_enabled() -> bool:
    """Whether this site can sign credentials (a key is set, or the demo derives one)."""
    keys = issuer_keys()
    return bool(keys) and keys[0].private is not None


def signing_key() -> IssuerKey:
    keys = issuer_keys()
    if not keys or keys[0].private is None:
        raise CredentialError("no_signing_key", "VC_SIGNING_KEYS names no private key")
    return keys[0]


# --- the issuer: did:web and profile -----------------------------------------------


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def issuer_did() -> str:
    """did:web of the public host (a port's colon is percent-encoded, as did:web says)."""
    host = urlsplit(site_url()).netloc
    return "did:web:" + host.replace(":", "%3A")


def verification_method_id(kid: str) -> str:
    return f"{issuer_did()}#{kid}"


def did_document() -> dict:
    """The DID document served at /.well-known/did.json: every key, retired ones too."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method_id(key.kid),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_multibase,
        }
        for key in issuer_keys()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def issuer_profile_url() -> str:
    return f"{site_url()}/credentials/issuer/"


def issuer_profile() -> dict:
    """The OB 3.0 Profile of the issuer, embedded in each credential."""
    return {
        "id": issuer_did(),
        "type": ["Profile"],
        "name": getattr(settings, "VC_ISSUER_NAME", "上海市家政服务培训与认证平台"),
        "url": issuer_profile_url(),
    }


def issuer_profile_document() -> dict:
    """The profile as a stand-alone JSON-LD document (served at issuer_profile_url)."""
    return {"@context": [VC_V2, OB_V3], **issuer_profile()}


# --- JSON-LD without the network ---------------------------------------------------


@cache
def vendored_context(url: str) -> dict:
    name = CONTEXT_FILES[url]
    return json.loads((VC_DIR / "contexts" / name).read_text(encoding="utf-8"))


def document_loader(extra: dict | None = None):
    """A PyLD document loader that serves the vendored contexts (and `extra`) and refuses the rest."""
    extra = dict(extra or {})

    def load(url, options=None):
        if url in extra:
            document = extra[url]
        elif url in CONTEXT_FILES:
            document = vendored_context(url)
        else:
            raise jsonld.JsonLdError(
                f"Refusing to load {url}: only vendored contexts are allowed.",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonize(document: dict, *, loader=None) -> str:
    """RDF Dataset Canonicalization (URDNA2015 / RDFC-1.0) of a JSON-LD document as N-Quads."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader or document_loader(),
        },
    )


# --- eddsa-rdfc-2022 ---------------------------------------------------------------


def only_proof(secured: dict) -> dict | None:
    """The document's single proof (an object, or an array of one), else None."""
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def _hash_data(unsecured: dict, proof_config: dict, loader) -> bytes:
    proof_hash = hashlib.sha256(canonize(proof_config, loader=loader).encode()).digest()
    document_hash = hashlib.sha256(canonize(unsecured, loader=loader).encode()).digest()
    return proof_hash + document_hash


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_proof(
    unsecured: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    loader=None,
    proof_set: bool = False,
) -> dict:
    """The document with an eddsa-rdfc-2022 DataIntegrityProof (assertionMethod) added.

    With `proof_set` the proof is a one-element array, as 1EdTech's OB 3.0
    schema requires of a credential's ``proof``; Data Integrity reads both.
    """
    loader = loader or document_loader()
    unsecured = {k: v for k, v in unsecured.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = {**options, "@context": unsecured["@context"]}
    signature = private_key.sign(_hash_data(unsecured, config, loader))
    proof = {**options, "proofValue": multibase_b58(signature)}
    return {**unsecured, "proof": [proof] if proof_set else proof}


def sign(
    unsecured: dict, *, created: datetime.datetime | str | None = None, proof_set: bool = False
) -> dict:
    """Sign with the issuer's newest key."""
    key = signing_key()
    if created is None:
        created = datetime.datetime.now(datetime.UTC)
    if isinstance(created, datetime.datetime):
        created = utc_stamp(created)
    return add_proof(
        unsecured,
        private_key=key.private,
        verification_method=verification_method_id(key.kid),
        created=created,
        proof_set=proof_set,
    )


def proof_is_valid(secured: dict, *, public_key: Ed25519PublicKey, loader=None) -> bool:
    """Check an eddsa-rdfc-2022 proof against `public_key` (the caller resolved the method)."""
    proof = only_proof(secured)
    if proof is None:
        return False
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    try:
        signature = from_multibase_b58(proof.get("proofValue") or "")
    except CredentialError:
        return False
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    config = {**options, "@context": unsecured.get("@context")}
    try:
        data = _hash_data(unsecured, config, loader or document_loader())
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    except Exception:  # a document PyLD cannot canonicalise carries no valid proof
        logger.info("A credential could not be canonicalised", exc_info=True)
        return False
    return True


# --- the credential of a certificate ------------------------------------------------


def valid_from(certificate) -> datetime.datetime:
    return datetime.datetime.combine(certificate.issued_on, datetime.time.min, SHANGHAI)


def valid_until(certificate) -> datetime.datetime:
    """The end of the expiry day in Shanghai: the certificate is valid through expires_on."""
    return datetime.datetime.combine(certificate.expires_on, datetime.time(23, 59, 59), SHANGHAI)


def identity_hash(id_number: str, salt: str) -> str:
    """OB 3.0 IdentityHash: 'sha256$' + hex SHA-256 of the identifier with the salt appended."""
    return "sha256$" + hashlib.sha256((id_number.strip().upper() + salt).encode()).hexdigest()


def credential_url(record) -> str:
    return f"urn:uuid:{record.uuid}"


def status_list_url(status_list_id: int) -> str:
    return f"{site_url()}/credentials/status/{status_list_id}/"


def achievement_url(code: str) -> str:
    return f"{site_url()}/credentials/achievements/{code}/"


def criteria_narrative(certificate) -> str:
    cert_type = certificate.type
    wording = (cert_type.pdf_wording or "").strip()
    narrative = (
        f"完成“{cert_type.name}”培训课程并通过考试，经{cert_type.issuing_authority}审核，"
        f"取得上门服务证。证书有效期{cert_type.validity_months}个月，持证人须在有效期内换证。"
    )
    return f"{narrative}\n\n{wording}" if wording else narrative


#: identityType of the public copy's hash, whose salt is withheld (OB 3.0 allows ext: types).
SALT_WITHHELD = "ext:nationalIdentityNumberSaltWithheld"


def _identity(worker, record, *, public: bool) -> dict:
    identity = {
        "type": "IdentityObject",
        "identityHash": identity_hash(worker.id_number, record.salt),
        "identityType": SALT_WITHHELD if public else "nationalIdentityNumber",
        "hashed": True,
    }
    if not public:
        identity["salt"] = record.salt
    return identity


def unsigned_credential(
    certificate, record, *, full_name: bool = False, public: bool = False
) -> dict:
    """The OpenBadgeCredential of one certificate, before its proof.

    The holder is identified by a salted SHA-256 of the ID number (OB 3.0
    IdentityObject, hashed: true) and named masked unless `full_name`: the
    worker chooses that when downloading their own credential. An ID number
    has few enough possible values (~10^11) that a hash published beside its
    salt could be reversed in minutes, so the `public` copy (linked from the
    verify page) withholds the salt and says so in its identityType; the
    holder's own download carries it, for a verifier the holder chooses.
    """
    worker = certificate.worker
    cert_type = certificate.type
    name = worker.name if full_name and not public else mask_name(worker.name)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_url(record),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"上门服务证 · {cert_type.name}",
        "issuer": issuer_profile(),
        "validFrom": utc_stamp(valid_from(certificate)),
        "validUntil": utc_stamp(valid_until(certificate)),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": name,
            "identifier": [_identity(worker, record, public=public)],
            "licenseNumber": f"{certificate.number}-r{certificate.revision}",
            "achievement": {
                "id": achievement_url(cert_type.code),
                "type": ["Achievement"],
                "achievementType": "License",
                "name": "上门服务证",
                "description": f"{cert_type.name}（{cert_type.issuing_authority}）",
                "humanCode": cert_type.code,
                "inLanguage": "zh-CN",
                "criteria": {"narrative": criteria_narrative(certificate)},
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url(record.status_list_id)}#{record.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(record.status_index),
            "statusListCredential": status_list_url(record.status_list_id),
        },
    }


def credential_for(certificate, record, *, full_name: bool = False, public: bool = False) -> dict:
    """The signed credential. Deterministic: the proof's `created` is the record's creation,
    and Ed25519 signatures are deterministic, so a download repeats byte for byte."""
    unsigned = unsigned_credential(certificate, record, full_name=full_name, public=public)
    return sign(unsigned, created=record.created_at, proof_set=True)


def credential_bytes(credential: dict) -> bytes:
    return json.dumps(credential, ensure_ascii=False, indent=2).encode()


# --- Bitstring Status List -----------------------------------------------------------


def encode_bitstring(indexes, size: int = STATUS_LIST_SIZE) -> str:
    """GZIP then multibase base64url (no padding) of a bitstring with `indexes` set.

    Bit 0 is the most significant bit of the first byte (W3C Bitstring Status List §3.2).
    """
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded or encoded[0] != "u":
        raise CredentialError("bad_status_list", "encodedList must be multibase base64url (u…)")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (OSError, ValueError) as exc:
        raise CredentialError("bad_status_list", "encodedList does not decompress") from exc


def bit_is_set(bitstring: bytes, index: int) -> bool:
    if index < 0 or index // 8 >= len(bitstring):
        raise CredentialError("bad_status_index", "statusListIndex is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def unsigned_status_list(status_list_id: int, indexes, *, size: int = STATUS_LIST_SIZE) -> dict:
    url = status_list_url(status_list_id)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": utc_stamp(datetime.datetime.now(datetime.UTC)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bitstring(indexes, size),
        },
    }
