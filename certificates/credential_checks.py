"""Checking a credential someone hands us (POST /api/v1/credentials/verify): reads only.

Each check answers on its own, with a machine code and a Chinese message, so
a caller can tell a forged credential from an expired or revoked one:

* ``proof``: the eddsa-rdfc-2022 proof verifies with a key of our DID document;
* ``issuer``: the issuer is our DID and the key is one of ours;
* ``validity``: now lies between ``validFrom`` and ``validUntil``;
* ``status``: its bit in our signed status list is not set.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import credential_services, credentials
from .models import CertificateCredential, CredentialStatusList


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    code: str
    message: str


def _parse_time(value) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _issuer_id(credential: dict) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _our_key(credential: dict):
    """(kid, IssuerKey) named by the proof's verificationMethod, or (None, None)."""
    proof = credentials.only_proof(credential)
    method = proof.get("verificationMethod") if proof else None
    prefix = credentials.issuer_did() + "#"
    if not isinstance(method, str) or not method.startswith(prefix):
        return None, None
    kid = method[len(prefix) :]
    for key in credentials.issuer_keys():
        if key.kid == kid:
            return kid, key
    return kid, None


#: Objects a credential may hold before we refuse to canonicalise it: ours hold about
#: ten, and RDF canonicalisation of many blank nodes can take exponential time.
MAX_OBJECTS = 200


def _objects(value) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


def check_proof(credential: dict) -> Check:
    if credentials.only_proof(credential) is None:
        return Check("proof", False, "proof_missing", _("凭证没有签名（proof）。"))
    if _objects(credential) > MAX_OBJECTS:
        return Check("proof", False, "too_complex", _("凭证结构过于复杂，无法核验。"))
    _kid, key = _our_key(credential)
    if key is None:
        return Check("proof", False, "proof_key_unknown", _("签名所用的密钥不是本平台发布的密钥。"))
    public_key = credentials.public_key_from_multibase(key.public_multibase)
    if not credentials.proof_is_valid(credential, public_key=public_key):
        return Check("proof", False, "proof_invalid", _("签名无效：凭证内容已被改动或签名不符。"))
    return Check("proof", True, "proof_valid", _("签名有效。"))


def check_issuer(credential: dict) -> Check:
    if _issuer_id(credential) != credentials.issuer_did():
        return Check("issuer", False, "issuer_unknown", _("签发方不是本平台。"))
    _kid, key = _our_key(credential)
    if key is None:
        return Check(
            "issuer", False, "issuer_key_unknown", _("签发方的密钥不在本平台公布的密钥中。")
        )
    return Check("issuer", True, "issuer_known", _("签发方是本平台。"))


def check_validity(credential: dict, *, now: datetime.datetime | None = None) -> Check:
    now = now or timezone.now()
    start = _parse_time(credential.get("validFrom"))
    end = _parse_time(credential.get("validUntil")) if "validUntil" in credential else None
    if start is None or ("validUntil" in credential and end is None):
        return Check("validity", False, "validity_unreadable", _("无法读取凭证的有效期。"))
    if now < start:
        return Check("validity", False, "not_yet_valid", _("凭证尚未生效。"))
    if end is not None and now > end:
        return Check("validity", False, "expired", _("凭证已过有效期。"))
    return Check("validity", True, "within_validity", _("在有效期内。"))


_STATUS_URL = re.compile(r"/credentials/status/(\d+)/$")


def check_status(credential: dict) -> Check:
    entry = credential.get("credentialStatus")
    if isinstance(entry, list) and len(entry) == 1:
        entry = entry[0]
    unknown = Check("status", False, "status_unknown", _("无法确认凭证状态。"))
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return unknown
    url = entry.get("statusListCredential")
    prefix = credentials.site_url() + "/credentials/status/"
    match = _STATUS_URL.search(url) if isinstance(url, str) and url.startswith(prefix) else None
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        return unknown
    status_list = (
        CredentialStatusList.objects.filter(pk=int(match.group(1))).first() if match else None
    )
    if status_list is None or entry.get("statusPurpose") != credentials.STATUS_PURPOSE:
        return unknown
    try:
        document = credential_services.status_list_document(status_list=status_list)
        bits = credentials.decode_bitstring(document["credentialSubject"]["encodedList"])
        revoked = credentials.bit_is_set(bits, index)
    except credentials.CredentialError:
        return unknown
    if not revoked:
        return Check("status", True, "not_revoked", _("凭证未被撤销。"))
    # The list says only "no longer counts"; our records say why.
    record = (
        CertificateCredential.objects.select_related("certificate")
        .filter(status_list=status_list, status_index=index)
        .first()
    )
    if record is not None and record.certificate.revoked_at is None:
        return Check("status", False, "superseded", _("凭证已被补发或换发的新证书取代。"))
    return Check("status", False, "revoked", _("凭证已被撤销。"))


def verify_credential(credential: dict) -> dict:
    """Every check of `credential`; ``verified`` only when all pass."""
    checks = [
        check_proof(credential),
        check_issuer(credential),
        check_validity(credential),
        check_status(credential),
    ]
    return {"verified": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}
