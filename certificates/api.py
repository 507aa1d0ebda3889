"""The verification API (DESIGN.md §5): ``GET /api/v1/verify/{token}``."""

import datetime

from django_ratelimit.exceptions import Ratelimited
from ninja import Router, Schema, Status

from lms.api_errors import responses
from lms.ratelimit import public_lookup_limit

from . import selectors

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
    return selectors.verification_for_token(token)


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
def verify(request, token: str):
    try:
        verification = _lookup(request, token)
    except Ratelimited:
        return Status(429, {"detail": "请求过于频繁，请稍后再试。"})
    if verification is None:
        return Status(404, NOT_FOUND)
    return Status(200, verification.as_api())
