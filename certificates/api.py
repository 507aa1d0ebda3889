"""The verification API (DESIGN.md §5): ``GET /api/v1/verify/{token}``, and
``POST /api/v1/credentials/verify`` for verifiable certificates (issue #25)."""

import datetime
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

from django_ratelimit.exceptions import Ratelimited
from ninja import Field, Router, Schema, Status

from lms import edge
from lms.api_errors import responses
from lms.ratelimit import public_lookup_limit

from . import credential_checks, wallet_card
from .selectors.lookup import verification_for_token

router = Router(tags=["verify"])

NOT_FOUND = {"detail": "not_found", "message": "未找到该证书。"}


class VerificationOut(Schema):
    status: str
    status_label: str
    number: str
    type: str
    holder_name: str
    issued_on: datetime.date
    expires_on: datetime.date
    revoked_on: datetime.date | None = None
    issuer: str
    agency: str
    holder_credit_standing: str
    door_colour: str
    door_reasons: list[str]
    visits_12_months: int
    average_rating: float | None = None


class NotFoundOut(Schema):
    detail: str
    message: str


class RateLimitedOut(Schema):
    detail: str


@public_lookup_limit
def _lookup(request, token: str):
    return verification_for_token(token)


@router.get(
    "/verify/{token}",
    response=responses({200: VerificationOut, 404: NotFoundOut, 429: RateLimitedOut}),
    summary="查验证书 Verify a certificate",
    description=(
        "Status of the certificate behind a QR token: valid, expired, revoked or "
        "superseded, with masked holder name. Every unknown token answers the same 404."
    ),
    operation_id="verify_certificate",
)
def verify(request, token: str, response: HttpResponse):
    try:
        verification = _lookup(request, token)
    except Ratelimited:
        return Status(429, {"detail": "请求过于频繁，请稍后再试。"})
    # The same answer for everyone: public at the edge briefly, purged on every change
    # (certificates/purge.py), like the /v/ page.
    edge.mark_public(response, edge.VERIFY)
    if verification is None:
        return Status(404, NOT_FOUND)
    return Status(200, verification.as_api())


# --- verifiable certificates: POST /api/v1/credentials/verify ----------------------

#: The largest credential or baked PNG accepted (a baked card is ~40 KB).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class CredentialCheckOut(Schema):
    check: str = Field(description="proof | issuer | validity | status")
    ok: bool
    code: str = Field(
        description=(
            "proof_valid, proof_missing, proof_key_unknown, proof_invalid, too_complex; "
            "issuer_known, issuer_unknown, issuer_key_unknown; within_validity, "
            "not_yet_valid, expired, validity_unreadable; not_revoked, revoked, "
            "superseded, status_unknown"
        )
    )
    message: str


class CredentialVerificationOut(Schema):
    verified: bool
    checks: list[CredentialCheckOut]


CREDENTIAL_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "An OpenBadgeCredential with its eddsa-rdfc-2022 proof.",
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A baked PNG (iTXt openbadgecredential) or the JSON file.",
                    }
                },
                "required": ["file"],
            }
        },
    },
}


def _refusal(code: str, detail: str):
    return Status(400, {"code": code, "detail": detail})


def _credential_from(request) -> dict | Status:
    """The credential a request carries, as JSON or a file; a 400 answer when it carries none."""
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        if upload is None:
            return _refusal("no_file", _("请上传名为 file 的文件：带凭证的 PNG 图片或 JSON 文件。"))
        if upload.size > MAX_UPLOAD_BYTES:
            return _refusal("too_large", _("文件过大。"))
        data = upload.read()
        if data.startswith(b"\x89PNG"):
            try:
                return wallet_card.unbake(data)
            except wallet_card.NotBaked:
                return _refusal("not_baked", _("这张图片里没有电子证书。"))
    elif content_type.endswith("json"):
        if len(request.body) > MAX_UPLOAD_BYTES:
            return _refusal("too_large", _("请求内容过大。"))
        data = request.body
    else:
        return _refusal("unsupported_type", _("请以 JSON 或 multipart/form-data 提交凭证。"))
    try:
        credential = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return _refusal("not_json", _("内容不是有效的 JSON。"))
    if not isinstance(credential, dict):
        return _refusal("not_a_credential", _("内容不是一份凭证（JSON 对象）。"))
    return credential


@public_lookup_limit
def _checks(request, credential: dict) -> dict:
    return credential_checks.verify_credential(credential)


@router.post(
    "/credentials/verify",
    response=responses({200: CredentialVerificationOut}, 429),
    summary="核验电子证书 Verify a verifiable certificate",
    description=(
        "Checks an Open Badges 3.0 credential of this platform, posted as JSON or as a "
        "baked PNG (multipart field `file`). Each check answers separately with a machine "
        "code and a Chinese message: proof, issuer, validity (validFrom/validUntil) and "
        "status (the Bitstring Status List). No login; rate-limited like the verify page."
    ),
    operation_id="verify_credential",
    openapi_extra={"requestBody": CREDENTIAL_BODY},
)
def verify_credential(request):
    credential = _credential_from(request)
    if isinstance(credential, Status):
        return credential
    try:
        answer = _checks(request, credential)
    except Ratelimited:
        return Status(429, {"code": "rate_limited", "detail": _("请求过于频繁，请稍后再试。")})
    return Status(200, answer)
